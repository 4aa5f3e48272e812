#pragma once
// Standard base64 (RFC 4648 section 4: A-Z a-z 0-9 + /, "=" padding).
#include <optional>
#include <string>
#include <string_view>

namespace callhook::util {

std::string base64_encode(std::string_view bytes);
// The bytes, or nullopt unless `text` is non-empty canonical padded base64
// (length a multiple of 4, only the alphabet, "=" only as 1 or 2 final chars).
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace callhook::util
