#include "engine/plan.hpp"

#include <algorithm>
#include <set>

#include "engine/fault_checks.hpp"
#include "engine/script.hpp"

namespace callhook::engine {

const EventSettings& StreamPlan::for_event(std::string_view event) const {
  auto it = settings.find(event);
  return it != settings.end() ? it->second : settings.find(std::string_view())->second;
}

Ordering ordering_from_name(std::string_view name) {
  if (name == "strict") return Ordering::Strict;
  if (name == "concurrent") return Ordering::Concurrent;
  return Ordering::Timeline;
}

const char* ordering_name(Ordering ordering) {
  switch (ordering) {
    case Ordering::Strict: return "strict";
    case Ordering::Concurrent: return "concurrent";
    case Ordering::Timeline: break;
  }
  return "timeline";
}

std::string ordering_summary(const RunPlan& plan) {
  std::string out;
  for (const char* name : {"timeline", "concurrent", "strict"}) {
    const bool used = std::any_of(plan.streams.begin(), plan.streams.end(), [&](const StreamPlan& s) {
      return !s.settings.empty() && ordering_name(s.for_event("").ordering) == std::string_view(name);
    });
    if (!used) continue;
    if (!out.empty()) out += '/';
    out += name;
  }
  return out;
}

namespace {

EventSettings resolve(const scenario::DeliverySettings& s, EventSettings base) {
  if (s.timeout_ms) base.timeout_ms = *s.timeout_ms;
  if (s.connect_timeout_ms) base.connect_timeout_ms = *s.connect_timeout_ms;
  if (s.retry) base.retry = *s.retry;
  if (s.signing) {
    base.signing.secrets = s.signing->secrets;
    base.signing.timestamp = s.signing->timestamp;
    // A secret without a scheme signs with the vendor's own scheme.
    if (s.signing->scheme != "none" || s.signing->secrets.empty()) base.signing.scheme = s.signing->scheme;
  }
  base.ordering = ordering_from_name(s.ordering);
  return base;
}

}  // namespace

std::optional<RunPlan> make_plan(scenario::Scenario scenario, const std::string& target,
                                 const std::string& default_target, const std::string& recordings_url,
                                 util::Problems& problems) {
  RunPlan plan;
  const std::size_t before = problems.size();
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) {
    auto& stream = scenario.streams[i];
    if (!target.empty()) stream.target = target;
    if (stream.target.empty()) stream.target = default_target;
    StreamPlan sp;
    sp.info = vendors::find_vendor(stream.vendor);
    if (!sp.info) {
      problems.add("/streams/" + std::to_string(i) + "/vendor", "unknown vendor \"" + stream.vendor + "\"");
      plan.streams.push_back(std::move(sp));
      continue;
    }
    sp.context = {stream.target, recordings_url, scenario.seed};
    util::Cursor config(&stream.vendor_config, stream.vendor_config_pointer, problems);
    sp.vendor = sp.info->configure(config, sp.context, problems);

    EventSettings defaults;
    defaults.timeout_ms = sp.info->defaults.timeout_ms;
    defaults.retry = sp.info->defaults.retry;
    defaults.signing.scheme = "none";
    EventSettings stream_settings = resolve(stream.delivery, defaults);
    if (stream.delivery.signing && stream.delivery.signing->scheme == "none" &&
        !stream.delivery.signing->secrets.empty())
      stream_settings.signing.scheme = sp.info->defaults.signing;
    sp.settings.emplace("", stream_settings);
    // An event's own default retry applies unless the stream sets one.
    const auto event_base = [&](const std::string& event) {
      EventSettings base = stream_settings;
      if (!stream.delivery.retry)
        for (const auto& [name, retry] : sp.info->defaults.event_retry)
          if (name == event) base.retry = retry;
      return base;
    };
    for (const auto& [event, s] : stream.event_delivery) {
      EventSettings e = resolve(s, event_base(event));
      if (!s.signing) e.signing = stream_settings.signing;
      e.ordering = stream_settings.ordering;  // a whole call's order: no per-event form
      sp.settings.emplace(event, e);
    }
    for (const auto& [event, retry] : sp.info->defaults.event_retry) sp.settings.emplace(event, event_base(event));
    check_faults(stream, i, sp, problems);
    plan.streams.push_back(std::move(sp));
  }
  if (problems.size() != before) return std::nullopt;
  plan.script = build_script(scenario, plan.streams, problems, &plan.script_aliases, &plan.script_alias_of);
  std::set<std::pair<std::size_t, std::string>> aliases;
  for (const auto& step : scenario.script) aliases.emplace(step.stream, step.call);
  plan.script_calls = aliases.size();
  if (problems.size() != before) return std::nullopt;
  plan.scenario = std::move(scenario);
  return plan;
}

}  // namespace callhook::engine
