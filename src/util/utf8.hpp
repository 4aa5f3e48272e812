#pragma once
// The one UTF-8 check: which bytes of outside text (receivers' answers,
// ids, headers) form valid UTF-8, for writers that must stay valid JSON,
// XML or terminal text whatever they are given.
#include <cstddef>
#include <string>
#include <string_view>

namespace callhook::util {

// Length of the valid UTF-8 sequence starting at text[i] (1 for ASCII), or 0
// when invalid: overlong forms, surrogates, code points past U+10FFFF and
// cut sequences are invalid.
std::size_t utf8_length(std::string_view text, std::size_t i);

// Whether every byte of `text` is part of valid UTF-8 (JSON can carry it as it is).
bool is_utf8(std::string_view text);

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
std::string valid_utf8(std::string_view text);

// At most `max_bytes` of `text`, cut before a UTF-8 continuation byte so
// no character is split.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

}  // namespace callhook::util
