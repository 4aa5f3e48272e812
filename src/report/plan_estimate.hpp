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

}  // namespace callhook::report
