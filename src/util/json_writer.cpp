#include "util/json_writer.hpp"

#include <cstdint>
#include <cstring>

#include "util/utf8.hpp"

namespace callhook::util {
namespace {

// Whether any of the eight bytes of `w` is a control character, '"', '\\'
// or not ASCII: the bytes a JSON string may not hold as they are (or, past
// 0x7f, must be checked as UTF-8). Payloads are mostly plain text, so
// looking at eight bytes per step saves most of a byte-by-byte scan.
bool any_special(std::uint64_t w) {
  constexpr std::uint64_t ones = 0x0101010101010101ULL;
  constexpr std::uint64_t high = 0x8080808080808080ULL;
  const std::uint64_t quote = w ^ (ones * '"');
  const std::uint64_t backslash = w ^ (ones * '\\');
  // (x - ones) & ~x has a byte's high bit set only when some byte is zero
  // (below 0x20 for w - 0x20 * ones); the answer for "any byte" is exact.
  const std::uint64_t control = (w - ones * 0x20) & ~w;
  const std::uint64_t quotes = (quote - ones) & ~quote;
  const std::uint64_t backslashes = (backslash - ones) & ~backslash;
  return ((control | quotes | backslashes | w) & high) != 0;
}

}  // namespace

void append_json_string(std::string& out, std::string_view text) {
  static const char* hex = "0123456789abcdef";
  out += '"';
  std::size_t i = 0;
  while (i < text.size()) {
    // Copy the longest run that needs no escaping in one go.
    std::size_t j = i;
    for (std::uint64_t w = 0; j + 8 <= text.size(); j += 8) {
      std::memcpy(&w, text.data() + j, 8);
      if (any_special(w)) break;
    }
    while (j < text.size()) {
      const auto c = static_cast<unsigned char>(text[j]);
      if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
      ++j;
    }
    out.append(text.data() + i, j - i);
    i = j;
    if (i == text.size()) break;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x80) {
      if (const std::size_t n = utf8_length(text, i); n > 0) {
        out.append(text.data() + i, n);
        i += n;
        continue;
      }
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    ++i;
  }
  out += '"';
}

}  // namespace callhook::util
