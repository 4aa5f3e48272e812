#include "serve/run_policy.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "vendors/vendor.hpp"

namespace callhook::serve {
namespace {

std::string count_text(double n) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g", n);
  return text;
}

// Calls a ramp starts over its stages (the rate climbs linearly in each).
double ramp_calls(const scenario::Arrival& arrival, double limit_s) {
  double calls = 0, rate = arrival.start_rate, at = 0;
  for (const auto& stage : arrival.stages) {
    const double span = std::min(stage.duration_s, std::max(0.0, limit_s - at));
    const double reached = rate + (stage.target_rate - rate) * (stage.duration_s > 0 ? span / stage.duration_s : 1);
    calls += (rate + reached) / 2 * span;
    at += stage.duration_s;
    rate = stage.target_rate;
  }
  if (limit_s > at && std::isfinite(limit_s)) calls += rate * (limit_s - at);
  return calls;
}

double estimate_calls(const scenario::Calls& calls) {
  using Kind = scenario::Arrival::Kind;
  const auto& arrival = calls.arrival;
  if (arrival.kind == Kind::List) {
    const auto listed = static_cast<double>(arrival.at_ms.size());
    return calls.count ? std::min(listed, static_cast<double>(*calls.count)) : listed;
  }
  if (calls.count) return static_cast<double>(*calls.count);
  const double limit_s = calls.for_s.value_or(INFINITY);
  if (arrival.kind == Kind::Ramp) return ramp_calls(arrival, limit_s);
  return arrival.rate_per_s * limit_s;
}

// The member that sets how many calls a stream makes.
std::string calls_pointer(const scenario::Calls& calls) {
  if (calls.count) return "/calls/count";
  if (calls.for_s) return "/calls/for_s";
  return "/calls/arrival";
}

}  // namespace

RequestRefused::RequestRefused(int status, util::Problems problems)
    : std::runtime_error(status == 403 ? "the server may not reach this target" : "over the server's limits for a run"),
      m_status(status),
      m_problems(std::move(problems)) {}

double estimate_deliveries(const scenario::Stream& stream) {
  const vendors::VendorInfo* vendor = vendors::find_vendor(stream.vendor);
  if (!vendor) return -1;
  const int attempts =
      stream.delivery.retry ? stream.delivery.retry->max_attempts : vendor->defaults.retry.max_attempts;
  const double per_call =
      (static_cast<double>(vendor->events.size()) + std::max(0.0, stream.calls.turns.a)) * std::max(1, attempts);
  return estimate_calls(stream.calls) * per_call;
}

bool refuse_target(const TargetPolicy& policy, const std::string& url, const std::string& pointer,
                   util::Problems& problems) {
  const std::string why = policy.refusal(url);
  if (why.empty()) return false;
  problems.add(pointer, why);
  return true;
}

void check_scenario(const scenario::Scenario& scenario, const RunPolicy& policy, const std::string& prefix,
                    bool concurrency_from_request) {
  const RunLimits& limits = policy.limits;
  util::Problems over;
  const auto max = static_cast<double>(limits.max_deliveries);
  const std::string cap = "the server takes runs of at most " + count_text(max) + " deliveries (--max-run-deliveries)";
  double total = 0;
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    const auto& stream = scenario.streams[i];
    const double deliveries = estimate_deliveries(stream);
    if (deliveries < 0) continue;
    total += deliveries;
    if (!(deliveries <= max))
      over.add(prefix + "/streams/" + std::to_string(i) + calls_pointer(stream.calls),
               "about " + count_text(deliveries) + " deliveries: " + cap);
  }
  if (over.empty() && !(total <= max))
    over.add(prefix + "/streams", "about " + count_text(total) + " deliveries in all: " + cap);
  if (!concurrency_from_request && scenario.concurrency > limits.max_concurrency)
    over.add(prefix + "/concurrency", std::to_string(scenario.concurrency) +
                                          " calls at once: the server allows at most " +
                                          std::to_string(limits.max_concurrency) + " (--max-run-concurrency)");
  if (!over.empty()) throw RequestRefused(400, std::move(over));

  util::Problems refused;
  refuse_scenario_targets(scenario, policy.targets, prefix, refused);
  if (!refused.empty()) throw RequestRefused(403, std::move(refused));
}

void refuse_scenario_targets(const scenario::Scenario& scenario, const TargetPolicy& targets, const std::string& prefix,
                             util::Problems& problems) {
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    const auto& stream = scenario.streams[i];
    const std::string at = prefix + "/streams/" + std::to_string(i);
    if (!stream.target.empty()) refuse_target(targets, stream.target, prefix + stream.target_pointer, problems);
    if (stream.probe) refuse_target(targets, stream.probe->url_template, at + "/probe/url", problems);
  }
}

}  // namespace callhook::serve
