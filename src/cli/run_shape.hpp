#pragma once
// The planned wall duration of a scenario, for the warning of `run` and
// `validate` (--count, --rate and --duration are run/calls_shape).
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace callhook::cli {

// About how long the run takes on the wall clock, in seconds (the last call
// start plus a typical call, divided by the speed); nullopt at speed max.
std::optional<double> planned_wall_s(const scenario::Scenario& scenario);

// "warning: ..." when the planned wall duration exceeds an hour, else "".
std::string long_run_warning(const scenario::Scenario& scenario);

}  // namespace callhook::cli
