// The "probe" object of a stream: the request (URL, method, headers, body),
// the checks of the answer and when to ask. Every {call.*} placeholder is
// checked here against the stream's vendor, so a typo fails `validate`.
#include <regex>

#include "scenario/placeholders.hpp"
#include "scenario/readers.hpp"
#include "util/url.hpp"

namespace callhook::scenario::detail {
namespace {

constexpr std::int64_t k_max_wait_ms = 600000;  // ten minutes: longer is a typo
constexpr std::int64_t k_max_polls = 1000;

const std::vector<std::pair<std::string_view, ProbeMatcher::Kind>> k_matchers = {
    {"equals", ProbeMatcher::Kind::Equals},   {"absent", ProbeMatcher::Kind::Absent},
    {"present", ProbeMatcher::Kind::Present}, {"min", ProbeMatcher::Kind::Min},
    {"max", ProbeMatcher::Kind::Max},         {"matches", ProbeMatcher::Kind::Matches},
    {"length", ProbeMatcher::Kind::Length},   {"one_of", ProbeMatcher::Kind::OneOf}};

// The placeholder names of a stream's vendor; empty (nothing checked) when the vendor is unknown.
using Names = std::vector<std::string>;

// Reports each unknown placeholder of `text`; returns whether all are known.
bool check_text(const util::Cursor& at, const std::string& text, const Names& names) {
  if (names.empty()) return true;
  bool ok = true;
  for (const auto& p : find_placeholders(text))
    if (!check_name(at, p.name, "placeholder", "", names)) ok = false;
  return ok;
}

// The same for every string inside a JSON value.
void check_value(const util::Cursor& at, const Names& names) {
  const util::Json* node = at.node();
  if (!node) return;
  if (node->is_string()) {
    check_text(at, node->get<std::string>(), names);
  } else if (node->is_array()) {
    for (std::size_t i = 0; i < node->size(); ++i) check_value(at.at(i), names);
  } else if (node->is_object()) {
    for (auto it = node->begin(); it != node->end(); ++it) check_value(at[it.key()], names);
  }
}

// A string that is one placeholder and nothing else (it takes the fact's type).
bool whole_placeholder(const util::Json& value) {
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  const auto found = find_placeholders(text);
  return found.size() == 1 && found.front().size == text.size();
}

// A number, or a placeholder that stands for one.
bool numeric(const util::Cursor& at, const Names& names, bool whole) {
  const util::Json& v = *at.node();
  if (whole_placeholder(v)) return check_text(at, v.get<std::string>(), names);
  if (v.is_number() && (!whole || v.is_number_integer() || v.is_number_unsigned()) && (!whole || v >= 0)) return true;
  at.fail_expected(whole ? "a non-negative integer or a {call.*} placeholder" : "a number or a {call.*} placeholder");
  return false;
}

ProbeMatcher read_matcher(const util::Cursor& at, const Names& names) {
  ProbeMatcher m;
  const util::Json& node = *at.node();
  const bool matcher =
      node.is_object() && node.size() == 1 &&
      std::any_of(k_matchers.begin(), k_matchers.end(), [&](const auto& k) { return k.first == node.begin().key(); });
  if (!matcher) {  // a plain value: equals
    m.value = node;
    check_value(at, names);
    return m;
  }
  const std::string key = node.begin().key();
  const util::Cursor arg = at[key];
  m.value = node.begin().value();
  for (const auto& [name, kind] : k_matchers)
    if (name == key) m.kind = kind;
  switch (m.kind) {
    case ProbeMatcher::Kind::Equals: check_value(arg, names); break;
    case ProbeMatcher::Kind::Absent:
    case ProbeMatcher::Kind::Present:
      if (!m.value.is_boolean() || !m.value.get<bool>()) arg.fail_expected("true");
      break;
    case ProbeMatcher::Kind::Min:
    case ProbeMatcher::Kind::Max: numeric(arg, names, false); break;
    case ProbeMatcher::Kind::Length: numeric(arg, names, true); break;
    case ProbeMatcher::Kind::Matches:
      if (!m.value.is_string()) {
        arg.fail_expected("a regular expression (ECMAScript) as a string");
      } else if (check_text(arg, m.value.get<std::string>(), names) &&
                 find_placeholders(m.value.get<std::string>()).empty()) {
        try {
          std::regex(m.value.get<std::string>(), std::regex::ECMAScript);
        } catch (const std::regex_error& e) {
          arg.fail("invalid regular expression " + util::describe(m.value) + ": " + e.what());
        }
      }
      break;
    case ProbeMatcher::Kind::OneOf:
      if (!m.value.is_array() || m.value.empty())
        arg.fail_expected("a non-empty array of values");
      else
        check_value(arg, names);
      break;
  }
  return m;
}

std::vector<int> read_statuses(const util::Cursor& at) {
  std::vector<int> statuses;
  if (!at.exists()) return statuses;
  if (at.node()->is_array()) {
    if (at.size() == 0) at.fail_expected("an HTTP status (100 to 599) or a non-empty array of them");
    for (std::size_t i = 0; i < at.size(); ++i)
      if (const auto s = at.at(i).integer(100, 599)) statuses.push_back(static_cast<int>(*s));
  } else if (const auto s = at.integer(100, 599)) {
    statuses.push_back(static_cast<int>(*s));
  }
  return statuses;
}

void read_url(const util::Cursor& url, const Names& names, StateProbe& probe) {
  url.require();
  const auto text = url.string(false);
  if (!text) return;
  probe.url_template = *text;
  // The URL must parse once its placeholders are filled.
  if (text->find('{') != std::string::npos && text->find('}', text->find('{')) == std::string::npos) {
    url.fail("unclosed \"{\" in " + util::describe(*url.node()));
    return;
  }
  if (!check_text(url, *text, names)) return;
  std::string filled = *text;
  const auto found = find_placeholders(*text);
  for (auto it = found.rbegin(); it != found.rend(); ++it) filled.replace(it->at, it->size, "x");
  if (!util::parse_url(filled)) url.fail_expected("an http:// or https:// URL");
}

}  // namespace

std::optional<StateProbe> read_probe(const util::Cursor& at, const VendorNames& vendor) {
  if (!at.keys({"url", "method", "headers", "body", "expect", "expect_status", "after_ms", "until_ms", "interval_ms"}))
    return std::nullopt;
  const Names names = vendor.known ? placeholder_names(vendor.events, vendor.facts) : Names{};
  StateProbe probe;
  read_url(at["url"], names, probe);
  if (at["method"].exists())
    probe.method = at["method"].one_of({"GET", "POST", "PUT", "PATCH", "DELETE"}).value_or(probe.method);
  if (const util::Cursor headers = at["headers"]; headers.is_object()) {
    for (auto it = headers.node()->begin(); it != headers.node()->end(); ++it) {
      const util::Cursor value = headers[it.key()];
      const bool bad_name = it.key().empty() || it.key().find_first_of(" :\r\n\t") != std::string::npos;
      if (bad_name) value.fail("expected a header name (a token without spaces or colons) as the key");
      const auto text = value.string();
      if (!text || bad_name) continue;
      if (text->find_first_of("\r\n") != std::string::npos) {
        value.fail("a header value cannot hold a line break");
        continue;
      }
      check_text(value, *text, names);
      probe.headers.emplace_back(it.key(), *text);
    }
  }
  if (const util::Cursor body = at["body"]; body.exists()) {
    probe.body = *body.node();
    check_value(body, names);
    if (probe.method == "GET" || probe.method == "DELETE")
      body.fail("a " + probe.method + " probe sends no body; give \"method\": \"POST\" (or PUT, PATCH)");
  }
  if (const util::Cursor expect = at["expect"]; expect.is_object()) {
    for (auto it = expect.node()->begin(); it != expect.node()->end(); ++it) {
      const util::Cursor check = expect[it.key()];
      if (!valid_pointer(it.key())) {
        check.fail("expected a JSON pointer such as \"/data/status\" as the key, got " + util::Json(it.key()).dump());
        continue;
      }
      probe.expect[it.key()] = read_matcher(check, names);
    }
  }
  probe.expect_status = read_statuses(at["expect_status"]);
  probe.after_ms = at["after_ms"].integer_or(0, 0);
  probe.until_ms = at["until_ms"].integer_or(0, 0, k_max_wait_ms);
  probe.interval_ms = at["interval_ms"].integer_or(probe.interval_ms, 10, k_max_wait_ms);
  if (at["interval_ms"].exists() && !at["until_ms"].exists())
    at["interval_ms"].fail("has no effect without \"until_ms\" (how long to poll)");
  if (probe.until_ms / probe.interval_ms > k_max_polls)
    at["until_ms"].fail("polls more than " + std::to_string(k_max_polls) + " times (until_ms / interval_ms is " +
                        std::to_string(probe.until_ms / probe.interval_ms) + "); give a longer interval_ms");
  return probe;
}

}  // namespace callhook::scenario::detail
