#pragma once
// The names an "expect" block may use and which way each one limits the run.
// One rule: "delivered", "planned" and names starting with "min_" are lower
// bounds (the run must reach at least that much); every other name is an
// upper bound (the run must stay at or below it).
#include <string>
#include <string_view>
#include <vector>

namespace callhook::scenario {

enum class Bound { AtMost, AtLeast };

struct ExpectationInfo {
  std::string_view name;
  Bound bound = Bound::AtMost;
  bool integral = true;      // a count: the limit must be a whole number
  bool ratio = false;        // a fraction from 0 to 1
  std::string_view meaning;  // one line for reports and docs
  // An upper limit on a value that only grows while a run runs (a count,
  // the slowest attempt): once over, it stays over, so "abort": true may
  // stop the run there. Percentiles, ratios and lower limits are decided
  // only at the end.
  bool can_abort = false;
};

// Every expectation name, in the order reports list them.
const std::vector<ExpectationInfo>& expectation_catalog();
// nullptr for an unknown name.
const ExpectationInfo* find_expectation(std::string_view name);
// "failed, dropped, ...": the names that take "abort": true, for messages.
std::string abortable_names();
// Whether a measured value satisfies the limit.
bool expectation_met(Bound bound, double limit, double actual);
// "<=" or ">=", for messages such as "p99_latency_ms 312 (limit <= 250)".
std::string_view bound_symbol(Bound bound);

}  // namespace callhook::scenario
