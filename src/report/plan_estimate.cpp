#include "report/plan_estimate.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace callhook::report {
namespace {

// The typical value of a distribution (its mean, or near it).
double typical(const scenario::Distribution& d) {
  using Kind = scenario::Distribution::Kind;
  switch (d.kind) {
    case Kind::Uniform: return (d.a + d.b) / 2;
    case Kind::Lognormal: return std::exp(d.a + d.b * d.b / 2);
    default: return d.a;
  }
}

// When the stream's last call starts, in seconds from the epoch.
double last_start_s(const scenario::Calls& calls) {
  using Kind = scenario::Arrival::Kind;
  const scenario::Arrival& arrival = calls.arrival;
  if (arrival.kind == Kind::List) return arrival.at_ms.empty() ? 0 : static_cast<double>(arrival.at_ms.back()) / 1000;
  if (arrival.kind == Kind::Ramp) {
    double span = 0;
    for (const auto& stage : arrival.stages) span += stage.duration_s;
    return calls.for_s ? std::min(span, *calls.for_s) : span;
  }
  double span = calls.for_s.value_or(0);
  if (calls.count && arrival.rate_per_s > 0) {
    const double by_count = static_cast<double>(*calls.count) / arrival.rate_per_s;
    span = calls.for_s ? std::min(span, by_count) : by_count;
  }
  return span;
}

}  // namespace

PlanEstimate estimate_plan(const scenario::Scenario& scenario) {
  PlanEstimate estimate;
  std::int64_t calls = 0;
  bool known = true;
  for (const scenario::Stream& stream : scenario.streams) {
    const scenario::Calls& c = stream.calls;
    if (c.arrival.kind == scenario::Arrival::Kind::List) {
      const auto listed = static_cast<std::int64_t>(c.arrival.at_ms.size());
      calls += c.count ? std::min(*c.count, listed) : listed;
    } else if (c.count && !c.for_s) {
      calls += *c.count;
    } else {
      known = false;
    }
    if (c.count && *c.count == 0) continue;
    estimate.virtual_span_s = std::max(estimate.virtual_span_s, last_start_s(c) + typical(c.duration_s));
  }
  std::vector<std::string> aliases;
  for (const scenario::ScriptStep& step : scenario.script) {
    if (std::find(aliases.begin(), aliases.end(), step.call) == aliases.end()) aliases.push_back(step.call);
    estimate.virtual_span_s = std::max(estimate.virtual_span_s, static_cast<double>(step.at_ms) / 1000);
  }
  calls += static_cast<std::int64_t>(aliases.size());
  if (known) estimate.total_calls = calls;
  return estimate;
}

}  // namespace callhook::report
