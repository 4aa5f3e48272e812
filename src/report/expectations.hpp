#pragma once
// The scenario's "expect" block checked against what the run measured.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"

namespace callhook::report {

struct ExpectationResult {
  std::string name;
  double limit = 0;
  double actual = 0;
  bool met = false;
  bool no_data = false;  // nothing to measure (no answers, nothing planned): not met, actual null in JSON
  std::string text;      // "p99_latency_ms 312.5 > 250", "p99_latency_ms: no data (no answered attempts)"
};

// One result per expectation, in the scenario's order. Counts and latencies
// are upper limits; "delivered", "planned" and "min_*" are lower limits;
// unknown names are unmet, and so are limits on a measure of nothing
// (latency with no answers, a ratio with nothing planned): "no data". accepted_bad_signature and
// accepted_stale_timestamp are implied with a limit of 0 when they are not 0 and the scenario does not name them;
// so is "failed" when the scenario names no expectation at all.
std::vector<ExpectationResult> check_expectations(const scenario::Expectations& expectations, const RunStats& stats);

// The value an expectation name measures in `stats`; nullopt for an unknown name.
std::optional<double> measured(std::string_view name, const RunStats& stats);

// True when every result is met (also when there are none).
bool all_met(const std::vector<ExpectationResult>& results);

}  // namespace callhook::report
