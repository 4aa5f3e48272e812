#pragma once
// What can be known about a run before it starts, for the progress line
// (calls to make) and the long-run warning (virtual time to play).
#include <cstdint>
#include <string>

#include "scenario/scenario.hpp"

namespace callhook::report {

struct PlanEstimate {
  std::int64_t total_calls = -1;  // -1 when a stream's count is not known ahead
  double virtual_span_s = 0;      // last call start plus a typical call's length
};

PlanEstimate estimate_plan(const scenario::Scenario& scenario);

// A warning when playing the scenario at its finite speed takes longer than
// an hour of wall time ("this scenario plays about 11.6 days of virtual time:
// at speed 1 that is 11.6 days of wall time; ..."), "" otherwise.
std::string long_run_warning(const PlanEstimate& estimate, double speed);

}  // namespace callhook::report
