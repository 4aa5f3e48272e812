#include "cli/run_shape.hpp"

#include "cli/cli.hpp"
#include "cli/human_text.hpp"
#include "report/plan_estimate.hpp"

namespace callhook::cli {
namespace {

constexpr double k_long_run_s = 3600;

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
  const bool bounded_by_arrival =
      calls.arrival.kind == scenario::Arrival::Kind::List || calls.arrival.kind == scenario::Arrival::Kind::Ramp;
  if (!calls.count && !calls.for_s && !bounded_by_arrival)
    throw UsageError("--rate needs --count or --duration: the stream would never end");
}

std::optional<double> planned_wall_s(const scenario::Scenario& scenario) {
  if (scenario.speed <= 0) return std::nullopt;
  return report::estimate_plan(scenario).virtual_span_s / scenario.speed;
}

std::string long_run_warning(const scenario::Scenario& scenario) {
  const auto wall = planned_wall_s(scenario);
  if (!wall || *wall <= k_long_run_s) return "";
  return "warning: this run takes about " + human_duration_ms(static_cast<std::int64_t>(*wall * 1000)) +
         " of wall time at speed " + format_number(scenario.speed) +
         " (--speed max sends as fast as the order allows; --speed N runs N times faster)";
}

}  // namespace callhook::cli
