#pragma once
// A one-stream scenario's calls reshaped load-tool style: `run --count/--rate
// /--duration` and the `count`, `rate` and `duration` of `POST /runs`.
#include <cstdint>
#include <optional>

#include "scenario/scenario.hpp"

namespace callhook::run {

struct CallsShape {
  std::optional<std::int64_t> count;  // calls in all
  std::optional<double> rate;         // calls started per second (constant)
  std::optional<double> duration_s;   // stop starting calls after this long
  bool any() const { return count || rate || duration_s; }
};

// Applies the shape to a one-stream scenario's "calls"; throws BadInput for
// a scenario with several streams or a stream without calls. A count alone
// replaces a "for_s" limit and a duration alone a "count", so the one given
// is what ends the stream.
void apply_calls_shape(scenario::Scenario& scenario, const CallsShape& shape);

}  // namespace callhook::run
