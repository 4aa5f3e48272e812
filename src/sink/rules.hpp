#pragma once
// Programmable answers of the sink: which requests a rule matches and what it
// answers them. Rules are plain data; the sink keeps their counters.
//
// Compact syntax (callhook sink --respond RULE): KEY=VALUE items separated by
// spaces, several rules separated by ';'. A value may be quoted with ' or "
// to hold spaces or ';'.
//   path=/hooks            exact path; path=/hooks/* any path under /hooks/
//   event=call.end         exact event name; event=runtime.call.* a prefix
//   status=500,500,200     the n-th matching request gets the n-th status,
//                          the last one repeats (default 200)
//   per=delivery           count the status sequence per delivery id (its
//                          webhook-id / svix-id, else its body) instead of
//                          per rule: each delivery fails twice, then succeeds
//                          (per=rule, the default, counts every match)
//   delay_ms=50            wait before answering
//   body=TEXT | body=@FILE the answer's body (default {"ok":true}, or
//                          {"ok":false} for a status of 400 and above)
//   content_type=TYPE      of the body (default application/json)
//   header=NAME:VALUE      an extra header, repeatable (header=Retry-After:5)
// A rule without path and event matches every request. The first matching
// rule answers.
//
// Rules file (callhook sink --rules FILE): a JSON array of objects with keys
// "path", "event", "status" (an integer or an array of them), "per"
// ("rule" or "delivery"), "delay_ms",
// "body" (a string is sent as is, any other JSON value is serialized),
// "content_type" and "headers" (an object of header names to strings).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/header.hpp"

namespace callhook::sink {

// What a status sequence counts: every request the rule matched, or each
// delivery's own requests (its retries).
enum class StatusCount { PerRule, PerDelivery };

struct Rule {
  std::string path;           // "" = any path; a trailing '*' makes it a prefix
  std::string event;          // "" = any event; a trailing '*' makes it a prefix
  std::vector<int> statuses;  // empty = 200
  StatusCount per = StatusCount::PerRule;
  std::int64_t delay_ms = 0;
  std::optional<std::string> body;  // nullopt = the default body
  std::string content_type = "application/json";
  util::Headers headers;
  std::string source;  // where it came from, for messages
};

// Status codes a rule may answer: 200..599 (a 1xx cannot end an exchange).
constexpr int k_min_rule_status = 200;
constexpr int k_max_rule_status = 599;
// Longest delay a rule may ask for.
constexpr std::int64_t k_max_rule_delay_ms = 600'000;

// Whether `rule` applies to a request for `path` carrying `event`.
bool rule_matches(const Rule& rule, std::string_view path, std::string_view event);
// Index of the first rule that applies, or nullopt.
std::optional<std::size_t> match_rule(const std::vector<Rule>& rules, std::string_view path, std::string_view event);
// The status for the `nth` (0-based) request a rule matched.
int rule_status(const Rule& rule, std::uint64_t nth);

// Parses the compact syntax; one string may hold several ';'-separated rules.
// Throws std::invalid_argument naming the rule and the field.
std::vector<Rule> parse_rule(std::string_view text);
// Parses a rules file (JSON, comments allowed). Throws std::invalid_argument
// listing every problem as "<file>: <JSON pointer>: <message>".
std::vector<Rule> parse_rules_file(const std::string& path);
// Same for rules file text; `source` names it in messages.
std::vector<Rule> parse_rules_json(std::string_view text, std::string_view source);

}  // namespace callhook::sink
