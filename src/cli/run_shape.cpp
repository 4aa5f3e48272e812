#include "cli/run_shape.hpp"

#include "cli/human_text.hpp"
#include "report/plan_estimate.hpp"

namespace callhook::cli {
namespace {

constexpr double k_long_run_s = 3600;

}  // namespace

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
