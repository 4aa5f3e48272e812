#include "sink/rules.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "sink/server.hpp"
#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"

namespace callhook::sink {
namespace {

const std::vector<std::string> k_compact_keys = {"path",     "event", "status",       "per",
                                                 "delay_ms", "body",  "content_type", "header"};
const std::vector<std::string> k_json_keys = {"path",     "event", "status",       "per",
                                              "delay_ms", "body",  "content_type", "headers"};
constexpr std::string_view k_nothing_to_answer = "nothing to answer: give status, delay_ms, body or header";

bool wildcard_match(std::string_view pattern, std::string_view value) {
  if (pattern.empty()) return true;
  if (pattern.back() == '*') {
    pattern.remove_suffix(1);
    return value.substr(0, pattern.size()) == pattern;
  }
  return pattern == value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string in_quotes(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool has_control(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
}

// Each check returns "" when the value is fine, else what is wrong with it.
std::string check_path(std::string_view path) {
  if (path == "*" || (!path.empty() && path.front() == '/')) return {};
  return "expected a path starting with \"/\" (a trailing * matches a prefix), got " + in_quotes(path);
}

std::string check_event(std::string_view event) {
  if (!event.empty()) return {};
  return "expected an event name, got \"\"";
}

std::string check_content_type(std::string_view type) {
  if (!type.empty() && !has_control(type)) return {};
  return "expected a media type such as application/json, got " + in_quotes(type);
}

// Adds a header to the rule; Content-Type goes to the rule's content type.
std::string add_header(Rule& rule, std::string_view name, std::string_view value) {
  if (name.empty() || !std::all_of(name.begin(), name.end(), is_token_char))
    return "expected a header name, got " + in_quotes(name);
  if (has_control(value)) return "header " + in_quotes(name) + " has a line break in its value";
  if (util::iequals(name, "Content-Length") || util::iequals(name, "Transfer-Encoding"))
    return "header " + in_quotes(name) + " is set by the server";
  if (util::iequals(name, "Content-Type")) {
    std::string problem = check_content_type(value);
    if (problem.empty()) rule.content_type = std::string(value);
    return problem;
  }
  rule.headers.push_back({std::string(name), std::string(value)});
  return {};
}

// "rule" or "delivery".
std::string parse_per(std::string_view text, StatusCount& per) {
  if (text == "rule") {
    per = StatusCount::PerRule;
  } else if (text == "delivery") {
    per = StatusCount::PerDelivery;
  } else {
    return "expected rule or delivery, got " + in_quotes(text);
  }
  return {};
}

bool has_action(const Rule& rule) {
  return !rule.statuses.empty() || rule.delay_ms > 0 || rule.body.has_value() || !rule.headers.empty();
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + in_quotes(path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// ---- compact syntax ----

[[noreturn]] void fail_rule(std::string_view rule, const std::string& message) {
  throw std::invalid_argument("rule " + in_quotes(rule) + ": " + message);
}

std::string_view trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// Splits at ';' outside quotes.
std::vector<std::string_view> split_rules(std::string_view text) {
  std::vector<std::string_view> out;
  char quote = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == quote) quote = 0;
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ';') {
      out.push_back(text.substr(start, i - start));
      start = i + 1;
    }
  }
  if (quote) fail_rule(trim(text.substr(start)), "unterminated " + std::string(1, quote) + " quote");
  out.push_back(text.substr(start));
  return out;
}

struct Item {
  std::string key;
  std::string value;
};

std::vector<Item> split_items(std::string_view rule) {
  std::vector<Item> items;
  std::size_t i = 0;
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (i < rule.size()) {
    if (is_space(rule[i])) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < rule.size() && !is_space(rule[i]) && rule[i] != '=') ++i;
    if (i == rule.size() || rule[i] != '=' || i == start)
      fail_rule(rule, "expected KEY=VALUE, got " + in_quotes(rule.substr(start, i - start)));
    Item item{std::string(rule.substr(start, i - start)), {}};
    ++i;  // '='
    if (i < rule.size() && (rule[i] == '\'' || rule[i] == '"')) {
      const char quote = rule[i++];
      const auto end = rule.find(quote, i);
      if (end == std::string_view::npos)
        fail_rule(rule, item.key + ": unterminated " + std::string(1, quote) + " quote");
      item.value = std::string(rule.substr(i, end - i));
      i = end + 1;
      if (i < rule.size() && !is_space(rule[i]))
        fail_rule(rule, item.key + ": expected a space after the closing quote");
    } else {
      const std::size_t value_start = i;
      while (i < rule.size() && !is_space(rule[i])) ++i;
      item.value = std::string(rule.substr(value_start, i - value_start));
    }
    items.push_back(std::move(item));
  }
  return items;
}

std::vector<int> parse_statuses(std::string_view rule, std::string_view text) {
  const std::string problem = "status: expected status codes from " + std::to_string(k_min_rule_status) + " to " +
                              std::to_string(k_max_rule_status) + " separated by commas, got " + in_quotes(text);
  std::vector<int> statuses;
  std::size_t start = 0;
  for (;;) {
    const auto comma = text.find(',', start);
    const std::string_view part = text.substr(start, comma == std::string_view::npos ? comma : comma - start);
    if (part.empty() || part.size() > 3 || !std::all_of(part.begin(), part.end(), is_digit)) fail_rule(rule, problem);
    const int status = std::stoi(std::string(part));
    if (status < k_min_rule_status || status > k_max_rule_status) fail_rule(rule, problem);
    statuses.push_back(status);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return statuses;
}

std::int64_t parse_delay(std::string_view rule, std::string_view text) {
  const std::string problem =
      "delay_ms: expected an integer from 0 to " + std::to_string(k_max_rule_delay_ms) + ", got " + in_quotes(text);
  if (text.empty() || text.size() > 9 || !std::all_of(text.begin(), text.end(), is_digit)) fail_rule(rule, problem);
  const std::int64_t delay = std::stoll(std::string(text));
  if (delay > k_max_rule_delay_ms) fail_rule(rule, problem);
  return delay;
}

Rule parse_one(std::string_view text) {
  Rule rule;
  rule.source = std::string(text);
  std::vector<std::string> seen;
  for (auto& item : split_items(text)) {
    const auto& key = item.key;
    if (std::find(k_compact_keys.begin(), k_compact_keys.end(), key) == k_compact_keys.end()) {
      std::string message = "unknown key " + in_quotes(key);
      const std::string guess = util::did_you_mean(key, k_compact_keys);
      if (!guess.empty()) message += " (did you mean " + in_quotes(guess) + "?)";
      message += "; keys are path, event, status, per, delay_ms, body, content_type, header";
      fail_rule(text, message);
    }
    if (key != "header") {
      if (std::find(seen.begin(), seen.end(), key) != seen.end()) fail_rule(text, key + ": given twice");
      seen.push_back(key);
    }
    std::string problem;
    if (key == "path") {
      problem = check_path(item.value);
      rule.path = item.value;
    } else if (key == "event") {
      problem = check_event(item.value);
      rule.event = item.value;
    } else if (key == "status") {
      rule.statuses = parse_statuses(text, item.value);
    } else if (key == "per") {
      problem = parse_per(item.value, rule.per);
    } else if (key == "delay_ms") {
      rule.delay_ms = parse_delay(text, item.value);
    } else if (key == "body") {
      if (!item.value.empty() && item.value.front() == '@') {
        try {
          rule.body = read_file(item.value.substr(1));
        } catch (const std::runtime_error& e) {
          problem = e.what();
        }
      } else {
        rule.body = item.value;
      }
    } else if (key == "content_type") {
      problem = check_content_type(item.value);
      rule.content_type = item.value;
    } else if (key == "header") {
      const auto colon = item.value.find(':');
      if (colon == std::string::npos)
        problem = "expected NAME:VALUE, got " + in_quotes(item.value);
      else
        problem = add_header(rule, item.value.substr(0, colon), trim(std::string_view(item.value).substr(colon + 1)));
    }
    if (!problem.empty()) fail_rule(text, key + ": " + problem);
  }
  if (!has_action(rule)) fail_rule(text, std::string(k_nothing_to_answer));
  return rule;
}

// ---- rules file ----

void read_json_rule(const util::Cursor& at, std::string_view source, std::size_t index, std::vector<Rule>& out) {
  if (!at.is_object()) return;
  at.keys(k_json_keys);
  Rule rule;
  rule.source = std::string(source) + "#/" + std::to_string(index);
  auto checked = [](const util::Cursor& field, std::optional<std::string> value, auto check, std::string& into) {
    if (!value) return;
    const std::string problem = check(*value);
    if (!problem.empty()) field.fail(problem);
    into = std::move(*value);
  };
  checked(at["path"], at["path"].string(), check_path, rule.path);
  checked(at["event"], at["event"].string(), check_event, rule.event);
  checked(at["content_type"], at["content_type"].string(), check_content_type, rule.content_type);

  const util::Cursor status = at["status"];
  if (status.present()) {
    if (status.node()->is_array()) {
      if (status.size() == 0) status.fail("expected at least one status code");
      for (std::size_t i = 0; i < status.size(); ++i)
        if (auto code = status.at(i).integer(k_min_rule_status, k_max_rule_status))
          rule.statuses.push_back(static_cast<int>(*code));
    } else if (auto code = status.integer(k_min_rule_status, k_max_rule_status)) {
      rule.statuses.push_back(static_cast<int>(*code));
    }
  }
  rule.delay_ms = at["delay_ms"].integer_or(0, 0, k_max_rule_delay_ms);
  if (const auto per = at["per"].string()) {
    const std::string problem = parse_per(*per, rule.per);
    if (!problem.empty()) at["per"].fail(problem);
  }

  const util::Cursor body = at["body"];
  if (body.exists()) rule.body = body.node()->is_string() ? body.node()->get<std::string>() : body.node()->dump();

  const util::Cursor headers = at["headers"];
  if (headers.exists() && headers.is_object()) {
    for (const auto& [name, value] : headers.node()->items()) {
      const util::Cursor field = headers[name];
      if (auto text = field.string()) {
        const std::string problem = add_header(rule, name, *text);
        if (!problem.empty()) field.fail(problem);
      }
    }
  }
  if (!has_action(rule)) at.fail(std::string(k_nothing_to_answer));
  out.push_back(std::move(rule));
}

}  // namespace

bool rule_matches(const Rule& rule, std::string_view path, std::string_view event) {
  return wildcard_match(rule.path, path) && wildcard_match(rule.event, event);
}

std::optional<std::size_t> match_rule(const std::vector<Rule>& rules, std::string_view path, std::string_view event) {
  for (std::size_t i = 0; i < rules.size(); ++i)
    if (rule_matches(rules[i], path, event)) return i;
  return std::nullopt;
}

int rule_status(const Rule& rule, std::uint64_t nth) {
  if (rule.statuses.empty()) return 200;
  const auto last = rule.statuses.size() - 1;
  return rule.statuses[nth < last ? static_cast<std::size_t>(nth) : last];
}

std::vector<Rule> parse_rule(std::string_view text) {
  std::vector<Rule> rules;
  for (std::string_view part : split_rules(text)) {
    part = trim(part);
    if (!part.empty()) rules.push_back(parse_one(part));
  }
  if (rules.empty()) fail_rule(trim(text), "empty rule");
  return rules;
}

std::vector<Rule> parse_rules_json(std::string_view text, std::string_view source) {
  util::Problems problems;
  const auto [doc, failure] = util::parse_json(text, util::k_rules_json);
  std::vector<Rule> rules;
  if (failure) {
    problems.add(failure->pointer, failure->message());
  } else {
    const util::Cursor root(&doc, "", problems);
    if (root.is_array())
      for (std::size_t i = 0; i < root.size(); ++i) read_json_rule(root.at(i), source, i, rules);
  }
  if (!problems.empty()) {
    std::string message = problems.format(source);
    if (!message.empty() && message.back() == '\n') message.pop_back();
    throw std::invalid_argument(message);
  }
  return rules;
}

std::vector<Rule> parse_rules_file(const std::string& path) {
  std::string text;
  try {
    text = read_file(path);
  } catch (const std::runtime_error& e) {
    throw std::invalid_argument(std::string("rules file: ") + e.what());
  }
  return parse_rules_json(text, path);
}

}  // namespace callhook::sink
