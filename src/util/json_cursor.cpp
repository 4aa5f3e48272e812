#include "util/json_cursor.hpp"

#include <algorithm>
#include <cmath>

namespace callhook::util {

void Problems::add(std::string pointer, std::string message) {
  if (follows_from_typo(pointer)) return;
  m_list.push_back({std::move(pointer), std::move(message)});
}

bool Problems::follows_from_typo(std::string_view pointer) const {
  return std::any_of(m_typos.begin(), m_typos.end(),
                     [&](const auto& typo) { return pointer == typo.first || pointer == typo.second; });
}

void Problems::add_typo(std::string pointer, std::string suggested, std::string message) {
  std::string object = suggested.substr(0, suggested.rfind('/'));
  m_typos.emplace_back(std::move(object), std::move(suggested));
  m_list.erase(std::remove_if(m_list.begin(), m_list.end(),
                              [&](const Problem& p) { return !p.unreadable && follows_from_typo(p.pointer); }),
               m_list.end());
  m_list.push_back({std::move(pointer), std::move(message)});
}

std::string Problems::format(std::string_view source) const {
  std::string out;
  for (const auto& p : m_list) {
    if (p.unreadable) {
      out += "cannot read " + std::string(source) + ": " + p.message + '\n';
      continue;
    }
    out += source;
    out += ": ";
    out += p.pointer.empty() ? "/" : p.pointer;
    out += ": ";
    out += p.message;
    out += '\n';
  }
  return out;
}

std::string describe(const Json& value) {
  // Never dumps a container (dump recurses) nor the whole of a long string.
  constexpr std::size_t k_max = 40;
  if (value.is_object()) return "an object";
  if (value.is_array()) return "an array";
  if (!value.is_string()) return value.dump();
  const auto& text = value.get_ref<const std::string&>();
  const auto quoted = [](const std::string& s) { return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace); };
  if (text.size() + 2 <= k_max) return quoted(text);
  std::size_t cut = k_max - 4;  // room for the opening quote and "..."
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a UTF-8 character
  std::string shown = quoted(text.substr(0, cut));
  shown.pop_back();  // the closing quote: the string goes on
  return shown + "...";
}

namespace {

std::string type_name(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_boolean()) return "a boolean";
  if (v.is_number()) return "a number";
  if (v.is_string()) return "a string";
  if (v.is_array()) return "an array";
  return "an object";
}

// 1 rather than 1.0, for limits in messages.
std::string number_text(double v) {
  if (v > -9e15 && v < 9e15 && v == static_cast<double>(static_cast<std::int64_t>(v)))
    return std::to_string(static_cast<std::int64_t>(v));
  return Json(v).dump();
}

}  // namespace

std::string pointer_token(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

Cursor Cursor::operator[](std::string_view key) const {
  const Json* child = nullptr;
  if (m_node && m_node->is_object()) {
    auto it = m_node->find(key);
    if (it != m_node->end()) child = &*it;
  }
  return Cursor(child, m_pointer + "/" + pointer_token(key), *m_problems);
}

Cursor Cursor::at(std::size_t index) const {
  const Json* child = (m_node && m_node->is_array() && index < m_node->size()) ? &(*m_node)[index] : nullptr;
  return Cursor(child, m_pointer + "/" + std::to_string(index), *m_problems);
}

std::size_t Cursor::size() const {
  return (m_node && (m_node->is_array() || m_node->is_object())) ? m_node->size() : 0;
}

void Cursor::fail_expected(std::string_view what) const {
  fail("expected " + std::string(what) + ", got " + (m_node ? describe(*m_node) : std::string("nothing")));
}

bool Cursor::is_object() const {
  if (!m_node) return false;
  if (!m_node->is_object()) {
    fail_expected("an object");
    return false;
  }
  return true;
}

bool Cursor::is_array() const {
  if (!m_node) return false;
  if (!m_node->is_array()) {
    fail_expected("an array");
    return false;
  }
  return true;
}

bool Cursor::keys(std::initializer_list<std::string_view> allowed) const {
  return keys(std::vector<std::string>(allowed.begin(), allowed.end()));
}

bool Cursor::keys(const std::vector<std::string>& allowed) const {
  if (!is_object()) return false;
  for (auto it = m_node->begin(); it != m_node->end(); ++it) {
    if (std::find(allowed.begin(), allowed.end(), it.key()) != allowed.end()) continue;
    const std::string guess = did_you_mean(it.key(), allowed);
    if (guess.empty())
      m_problems->add(m_pointer + "/" + pointer_token(it.key()), "unknown key");
    else
      m_problems->add_typo(m_pointer + "/" + pointer_token(it.key()), m_pointer + "/" + pointer_token(guess),
                           "unknown key (did you mean \"" + guess + "\"?)");
  }
  return true;
}

void Cursor::require() const {
  if (!m_node) fail("is required");
}

std::optional<std::int64_t> Cursor::integer(std::int64_t min, std::int64_t max) const {
  if (!m_node) return std::nullopt;
  std::string what = "an integer";
  if (min == 1 && max == INT64_MAX)
    what = "a positive integer";
  else if (min == 0 && max == INT64_MAX)
    what = "a non-negative integer";
  else if (min != INT64_MIN && max == INT64_MAX)
    what = "an integer >= " + std::to_string(min);
  else if (min != INT64_MIN || max != INT64_MAX)
    what = "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (!m_node->is_number_integer()) {
    if (m_node->is_number_float()) {
      // 3.0 reads as 3; a float outside int64's range must not be cast at all.
      constexpr double k_two_to_63 = 9223372036854775808.0;
      const double d = m_node->get<double>();
      if (d >= -k_two_to_63 && d < k_two_to_63 && d == std::trunc(d)) {
        const auto v = static_cast<std::int64_t>(d);
        if (v >= min && v <= max) return v;
      }
    }
    fail_expected(what);
    return std::nullopt;
  }
  std::int64_t v = 0;
  if (m_node->is_number_unsigned()) {
    const auto u = m_node->get<std::uint64_t>();
    if (u > static_cast<std::uint64_t>(INT64_MAX)) {
      fail_expected(what);
      return std::nullopt;
    }
    v = static_cast<std::int64_t>(u);
  } else {
    v = m_node->get<std::int64_t>();
  }
  if (v < min || v > max) {
    fail_expected(what);
    return std::nullopt;
  }
  return v;
}

std::optional<double> Cursor::number(double min, double max) const {
  if (!m_node) return std::nullopt;
  std::string what = "a number";
  if (min == 0 && max == 1)
    what = "a probability from 0 to 1";
  else if (min == 0 && max >= 1e300)
    what = "a non-negative number";
  else if (min > -1e300 && max >= 1e300)
    what = "a number >= " + number_text(min);
  else if (min > -1e300 || max < 1e300)
    what = "a number from " + number_text(min) + " to " + number_text(max);
  if (!m_node->is_number()) {
    fail_expected(what);
    return std::nullopt;
  }
  const double v = m_node->get<double>();
  if (v < min || v > max) {
    fail_expected(what);
    return std::nullopt;
  }
  return v;
}

std::optional<std::uint64_t> Cursor::unsigned_integer() const {
  if (!m_node) return std::nullopt;
  if (m_node->is_number_unsigned()) return m_node->get<std::uint64_t>();
  if (m_node->is_number_integer() && m_node->get<std::int64_t>() >= 0)
    return static_cast<std::uint64_t>(m_node->get<std::int64_t>());
  fail_expected("a non-negative integer");
  return std::nullopt;
}

std::optional<double> Cursor::positive_number() const {
  if (!m_node) return std::nullopt;
  if (!m_node->is_number() || !(m_node->get<double>() > 0)) {
    fail_expected("a positive number");
    return std::nullopt;
  }
  return m_node->get<double>();
}

std::optional<std::string> Cursor::string(bool allow_empty) const {
  if (!m_node) return std::nullopt;
  if (!m_node->is_string() || (!allow_empty && m_node->get_ref<const std::string&>().empty())) {
    fail_expected(allow_empty ? "a string" : "a non-empty string");
    return std::nullopt;
  }
  return m_node->get<std::string>();
}

std::optional<bool> Cursor::boolean() const {
  if (!m_node) return std::nullopt;
  if (!m_node->is_boolean()) {
    fail_expected("true or false");
    return std::nullopt;
  }
  return m_node->get<bool>();
}

std::optional<std::string> Cursor::one_of(std::initializer_list<std::string_view> choices) const {
  if (!m_node) return std::nullopt;
  std::string list;
  for (auto c : choices) list += (list.empty() ? "\"" : ", \"") + std::string(c) + "\"";
  if (m_node->is_string()) {
    const auto& s = m_node->get_ref<const std::string&>();
    for (auto c : choices)
      if (s == c) return s;
    std::string message = "expected one of " + list + ", got " + describe(*m_node);
    const std::string guess = did_you_mean(s, std::vector<std::string>(choices.begin(), choices.end()));
    if (!guess.empty()) message += " (did you mean \"" + guess + "\"?)";
    fail(message);
    return std::nullopt;
  }
  fail("expected one of " + list + ", got " + type_name(*m_node));
  return std::nullopt;
}

std::int64_t Cursor::integer_or(std::int64_t fallback, std::int64_t min, std::int64_t max) const {
  return integer(min, max).value_or(fallback);
}
double Cursor::number_or(double fallback, double min, double max) const { return number(min, max).value_or(fallback); }
std::string Cursor::string_or(std::string fallback) const { return string().value_or(std::move(fallback)); }
bool Cursor::boolean_or(bool fallback) const { return boolean().value_or(fallback); }

}  // namespace callhook::util
