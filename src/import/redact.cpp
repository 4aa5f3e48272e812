#include "import/redact.hpp"

#include <array>
#include <vector>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "util/text.hpp"

namespace callhook::import {
namespace {

enum class Kind { Keep, Phone, Name, Text };

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// The key as one lowercase word without separators: "callerName" and
// "caller_name" are both "callername".
std::string flat_key(std::string_view key) {
  std::string out;
  for (char c : key)
    if (is_letter(c) || is_digit(c)) out += util::ascii_lower(c);
  return out;
}

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }

Kind kind_of_key(std::string_view key) {
  const std::string k = flat_key(key);
  for (std::string_view word : {"transcript", "utterance", "message", "summary", "speech", "caption"})
    if (contains(k, word)) return Kind::Text;
  if (k == "text" || k == "content" || k == "said" || k.ends_with("text")) return Kind::Text;
  for (std::string_view word : {"phone", "mobile", "msisdn", "callerid", "dnis"})
    if (contains(k, word)) return Kind::Phone;
  for (std::string_view exact : {"from", "to", "caller", "callee", "ani", "number", "customernumber", "fromnumber",
                                 "tonumber", "destination", "source", "forwardedfrom", "callernumber"})
    if (k == exact) return Kind::Phone;
  for (std::string_view other : {"event", "file", "host", "type", "voice", "model", "function", "tool", "project",
                                 "app", "agent", "bot", "assistant", "domain", "node", "block", "step"})
    if (contains(k, other)) return Kind::Keep;
  if (k == "name" || k.ends_with("name") || k == "first" || k == "last" || contains(k, "surname")) return Kind::Name;
  return Kind::Keep;
}

// "+61412345678", "0412 345 678": a '+' or digits, then only digits and separators.
bool looks_like_phone(std::string_view text, bool need_plus) {
  if (text.empty()) return false;
  std::size_t at = 0;
  if (text[0] == '+')
    ++at;
  else if (text.starts_with("%2B") || text.starts_with("%2b"))
    at = 3;
  else if (need_plus)
    return false;
  std::size_t digits = 0;
  for (; at < text.size(); ++at) {
    if (is_digit(text[at]))
      ++digits;
    else if (text[at] != ' ' && text[at] != '-' && text[at] != '(' && text[at] != ')' && text[at] != '.')
      return false;
  }
  return digits >= 7 && digits <= 15;
}

bool looks_like_email(std::string_view text) {
  const auto at = text.find('@');
  return at != std::string_view::npos && at > 0 && text.find('.', at) != std::string_view::npos &&
         text.find_first_of(" \t") == std::string_view::npos && text.find('@', at + 1) == std::string_view::npos;
}

// One unit of raw string text: a \uXXXX escape, another escape, one UTF-8
// character, or one ASCII byte; returns its length in bytes.
std::size_t unit_length(std::string_view text, std::size_t at) {
  const auto c = static_cast<unsigned char>(text[at]);
  if (c == '\\' && at + 1 < text.size()) return text[at + 1] == 'u' && at + 6 <= text.size() ? 6 : 2;
  if (c < 0x80) return 1;
  std::size_t n = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
  std::size_t end = at + 1;
  while (end < text.size() && end < at + n && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end - at;
}

// A form value's %XX escape is one unit too.
bool percent_escape(std::string_view text, std::size_t at) {
  return text[at] == '%' && at + 2 < text.size() && util::hex_digit(text[at + 1]) >= 0 &&
         util::hex_digit(text[at + 2]) >= 0;
}

// Whether a unit is replaced (letters, digits, non-ASCII, \u escapes) or kept.
bool replaced_unit(std::string_view unit) {
  if (unit.size() == 3 && unit[0] == '%') return false;  // a form's %XX escape ("%2B" of a +E.164 number)
  if (unit.size() == 6 && unit[0] == '\\' && unit[1] == 'u') return true;
  if (unit.size() > 1) return unit[0] != '\\';
  return is_letter(unit[0]) || is_digit(unit[0]) || static_cast<unsigned char>(unit[0]) >= 0x80;
}

}  // namespace

Redactor::Redactor(std::string key) : m_key(std::move(key)) {}

std::string Redactor::replace_units(std::string_view salt, std::string_view text, std::size_t keep) const {
  // HMAC-SHA256(key, salt \0 text \0 block): as many bytes as the text needs.
  std::vector<unsigned char> stream;
  const auto more = [&]() {
    std::string message(salt);
    message += '\0';
    message += text;
    message += '\0';
    message += std::to_string(stream.size() / 32);
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int length = 0;
    HMAC(EVP_sha256(), m_key.data(), static_cast<int>(m_key.size()),
         reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest.data(), &length);
    stream.insert(stream.end(), digest.begin(), digest.begin() + length);
  };
  std::string out;
  std::size_t next = 0;
  std::size_t units = 0;
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t n = percent_escape(text, at) ? 3 : unit_length(text, at);
    const std::string_view unit = text.substr(at, n);
    at += n;
    if (!replaced_unit(unit) || units++ < keep) {
      out += unit;
      continue;
    }
    if (next == stream.size()) more();
    const unsigned char r = stream[next++];
    if (is_digit(unit[0]) && unit.size() == 1)
      out += static_cast<char>('0' + r % 10);
    else if (unit.size() == 1 && unit[0] >= 'A' && unit[0] <= 'Z')
      out += static_cast<char>('A' + r % 26);
    else
      out += static_cast<char>('a' + r % 26);
  }
  return out;
}

std::string Redactor::replace_words(std::string_view text) const {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    std::size_t end = at;
    while (end < text.size()) {
      const std::size_t n = unit_length(text, end);
      if (!replaced_unit(text.substr(end, n))) break;
      end += n;
    }
    if (end > at) {
      out += replace_units("word", text.substr(at, end - at), 0);
      at = end;
    } else {
      const std::size_t n = unit_length(text, at);
      out += text.substr(at, n);
      at += n;
    }
  }
  return out;
}

std::string Redactor::value(std::string_view key, std::string_view text) const {
  const Kind kind = kind_of_key(key);
  if (looks_like_phone(text, kind != Kind::Phone)) {
    // Keep the '+' and the first two digits (the country code, or most of it).
    return replace_units("phone", text, 2);
  }
  if (looks_like_email(text)) {
    // The local part and the domain's labels, all but the last (".com").
    const auto dot = text.rfind('.');
    return replace_units("email", text.substr(0, dot), 0) + std::string(text.substr(dot));
  }
  if (kind == Kind::Name || kind == Kind::Text) return replace_words(text);
  return std::string(text);
}

std::string Redactor::json(std::string_view body) const {
  struct Level {
    bool object = false;
    bool expect_key = false;
    std::string key;  // the key of the value being read; an array inherits its parent's
  };
  std::vector<Level> levels{{}};
  std::string out;
  out.reserve(body.size());
  for (std::size_t at = 0; at < body.size();) {
    const char c = body[at];
    if (c == '"') {
      std::size_t end = at + 1;
      while (end < body.size() && body[end] != '"') end += body[end] == '\\' ? 2 : 1;
      end = std::min(end, body.size());
      const std::string_view content = body.substr(at + 1, end - at - 1);
      Level& level = levels.back();
      out += '"';
      if (level.object && level.expect_key) {
        level.key = std::string(content);
        out += content;
      } else {
        out += value(level.key, content);
      }
      if (end < body.size()) out += '"';
      at = end + 1;
      continue;
    }
    if (c == '{' || c == '[') {
      levels.push_back({c == '{', c == '{', levels.back().key});
    } else if ((c == '}' || c == ']') && levels.size() > 1) {
      levels.pop_back();
    } else if (c == ':') {
      levels.back().expect_key = false;
    } else if (c == ',' && levels.back().object) {
      levels.back().expect_key = true;
    }
    out += c;
    ++at;
  }
  return out;
}

std::string Redactor::form(std::string_view text) const {
  std::string out;
  std::size_t at = 0;
  while (at <= text.size()) {
    auto end = text.find('&', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view pair = text.substr(at, end - at);
    const auto equals = pair.find('=');
    if (equals == std::string_view::npos) {
      out += pair;
    } else {
      out += pair.substr(0, equals + 1);
      out += value(pair.substr(0, equals), pair.substr(equals + 1));
    }
    if (end == text.size()) break;
    out += '&';
    at = end + 1;
  }
  return out;
}

std::string Redactor::body(std::string_view content_type, std::string_view body) const {
  const auto first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && (body[first] == '{' || body[first] == '[')) return json(body);
  if (util::istarts_with(content_type, "application/x-www-form-urlencoded")) return form(body);
  return std::string(body);
}

std::string Redactor::path(std::string_view path) const {
  const auto question = path.find('?');
  if (question == std::string_view::npos) return std::string(path);
  return std::string(path.substr(0, question + 1)) + form(path.substr(question + 1));
}

}  // namespace callhook::import
