#pragma once
// Command-line changes to a scenario's shape (--count, --rate, --duration)
// and the planned wall duration, for the warning of `run` and `validate`.
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace callhook::cli {

struct CallsFlags {
  std::optional<std::int64_t> count;  // calls in all
  std::optional<double> rate;         // calls started per second (constant)
  std::optional<double> duration_s;   // stop starting calls after this long
  bool any() const { return count || rate || duration_s; }
};

// Applies the flags to a one-stream scenario's "calls"; throws UsageError
// for a scenario with several streams or a stream without calls. --count
// alone replaces a "for_s" limit and --duration alone a "count", so the flag
// given is what ends the stream.
void apply_calls_flags(scenario::Scenario& scenario, const CallsFlags& flags);

// About how long the run takes on the wall clock, in seconds (the last call
// start plus a typical call, divided by the speed); nullopt at speed max.
std::optional<double> planned_wall_s(const scenario::Scenario& scenario);

// "warning: ..." when the planned wall duration exceeds an hour, else "".
std::string long_run_warning(const scenario::Scenario& scenario);

}  // namespace callhook::cli
