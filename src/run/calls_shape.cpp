#include "run/calls_shape.hpp"

#include <string>

#include "run/bad_input.hpp"

namespace callhook::run {

void apply_calls_shape(scenario::Scenario& scenario, const CallsShape& shape) {
  if (!shape.any()) return;
  if (scenario.streams.size() != 1)
    throw BadInput("--count, --rate and --duration shape a scenario with one stream; " + scenario.source + " has " +
                   std::to_string(scenario.streams.size()) + " (set each stream's \"calls\" in the file instead)");
  scenario::Calls& calls = scenario.streams[0].calls;
  if (calls.count && *calls.count == 0 && !scenario.script.empty() && !shape.count)
    throw BadInput("--rate and --duration need a stream with calls; " + scenario.source +
                   " only plays a script (give --count too)");
  if (shape.count) {
    calls.count = *shape.count;
    if (!shape.duration_s) calls.for_s.reset();
  }
  if (shape.duration_s) {
    calls.for_s = *shape.duration_s;
    if (!shape.count) calls.count.reset();
  }
  if (shape.rate) {
    calls.arrival = scenario::Arrival{};
    calls.arrival.kind = scenario::Arrival::Kind::Constant;
    calls.arrival.rate_per_s = *shape.rate;
  }
  // A list or a ramp ends on its own; a constant rate needs a count or a duration.
  const bool bounded_by_arrival =
      calls.arrival.kind == scenario::Arrival::Kind::List || calls.arrival.kind == scenario::Arrival::Kind::Ramp;
  if (!calls.count && !calls.for_s && !bounded_by_arrival)
    throw BadInput("--rate needs --count or --duration: the stream would never end");
}

}  // namespace callhook::run
