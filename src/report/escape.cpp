#include "report/escape.hpp"

#include <cstdio>

namespace callhook::report {
namespace {

std::string hex_escape(char c) {
  char escaped[8];
  std::snprintf(escaped, sizeof escaped, "\\x%02x", static_cast<unsigned>(static_cast<unsigned char>(c)));
  return escaped;
}

bool is_control(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }

}  // namespace

std::string printable(std::string_view text) {
  const std::string valid = util::valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    if (is_control(c)) {
      out += hex_escape(c);
    } else {
      out += c;
    }
  }
  return out;
}

std::string xml_escape(std::string_view text) {
  const std::string valid = util::valid_utf8(text);
  std::string out;
  out.reserve(valid.size());
  for (const char c : valid) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\n': out += "&#10;"; break;
      case '\r': out += "&#13;"; break;
      case '\t': out += "&#9;"; break;
      default:
        if (is_control(c)) {
          out += hex_escape(c);
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace callhook::report
