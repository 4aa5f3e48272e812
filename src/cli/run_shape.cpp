#include "cli/run_shape.hpp"

#include <algorithm>
#include <cmath>

#include "cli/cli.hpp"
#include "cli/human_text.hpp"

namespace callhook::cli {
namespace {

constexpr double k_long_run_s = 3600;

// A call's typical length in seconds: the middle of its distribution.
double typical(const scenario::Distribution& d) {
  using Kind = scenario::Distribution::Kind;
  switch (d.kind) {
    case Kind::Uniform: return (d.a + d.b) / 2;
    case Kind::Lognormal: return std::exp(d.a);
    default: return d.a;
  }
}

// Seconds from the epoch to the last call start of a stream.
double last_start_s(const scenario::Calls& calls) {
  using Kind = scenario::Arrival::Kind;
  const auto& arrival = calls.arrival;
  double window = 0;
  if (arrival.kind == Kind::List) {
    window = arrival.at_ms.empty() ? 0 : static_cast<double>(arrival.at_ms.back()) / 1000;
  } else if (arrival.kind == Kind::Ramp) {
    for (const auto& stage : arrival.stages) window += stage.duration_s;
  } else if (calls.count) {
    window = static_cast<double>(*calls.count) / std::max(arrival.rate_per_s, 1e-9);
  } else {
    window = calls.for_s.value_or(0);
  }
  if (calls.for_s) window = std::min(window, *calls.for_s);
  return window;
}

}  // namespace

void apply_calls_flags(scenario::Scenario& scenario, const CallsFlags& flags) {
  if (!flags.any()) return;
  if (scenario.streams.size() != 1)
    throw UsageError("--count, --rate and --duration shape a scenario with one stream; " + scenario.source + " has " +
                     std::to_string(scenario.streams.size()) + " (set each stream's \"calls\" in the file instead)");
  scenario::Calls& calls = scenario.streams[0].calls;
  if (calls.count && *calls.count == 0 && !scenario.script.empty() && !flags.count)
    throw UsageError("--rate and --duration need a stream with calls; " + scenario.source +
                     " only plays a script (give --count too)");
  if (flags.count) {
    calls.count = *flags.count;
    if (!flags.duration_s) calls.for_s.reset();
  }
  if (flags.duration_s) {
    calls.for_s = *flags.duration_s;
    if (!flags.count) calls.count.reset();
  }
  if (flags.rate) {
    calls.arrival = scenario::Arrival{};
    calls.arrival.kind = scenario::Arrival::Kind::Constant;
    calls.arrival.rate_per_s = *flags.rate;
  }
  // A list or a ramp ends on its own; a constant rate needs a count or a duration.
  const bool bounded_by_arrival = calls.arrival.kind == scenario::Arrival::Kind::List ||
                                  calls.arrival.kind == scenario::Arrival::Kind::Ramp;
  if (!calls.count && !calls.for_s && !bounded_by_arrival)
    throw UsageError("--rate needs --count or --duration: the stream would never end");
}

std::optional<double> planned_wall_s(const scenario::Scenario& scenario) {
  if (scenario.speed <= 0) return std::nullopt;
  double virtual_s = 0;
  for (const auto& stream : scenario.streams)
    if (!stream.calls.count || *stream.calls.count > 0)
      virtual_s = std::max(virtual_s, last_start_s(stream.calls) + typical(stream.calls.duration_s));
  for (const auto& step : scenario.script) virtual_s = std::max(virtual_s, static_cast<double>(step.at_ms) / 1000);
  return virtual_s / scenario.speed;
}

std::string long_run_warning(const scenario::Scenario& scenario) {
  const auto wall = planned_wall_s(scenario);
  if (!wall || *wall <= k_long_run_s) return "";
  return "warning: this run takes about " + human_duration_ms(static_cast<std::int64_t>(*wall * 1000)) +
         " of wall time at speed " + format_number(scenario.speed) +
         " (--speed max sends as fast as the order allows; --speed N runs N times faster)";
}

}  // namespace callhook::cli
