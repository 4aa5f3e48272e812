#pragma once
// Text from receivers (response bodies, ids) can hold anything; reports must
// stay valid UTF-8 JSON and well-formed XML whatever it holds.
#include <string>
#include <string_view>

#include "util/utf8.hpp"

namespace callhook::report {

// `text` with each byte that is not part of valid UTF-8 replaced by U+FFFD.
using util::valid_utf8;
// `text` safe to print on a terminal: valid UTF-8, control characters
// (escape sequences included) as "\xNN".
std::string printable(std::string_view text);
// `text` made safe for XML 1.0 character data and attribute values: valid
// UTF-8, markup characters as entities, control characters as "\xNN".
std::string xml_escape(std::string_view text);

}  // namespace callhook::report
