#pragma once
// Small scenarios built in code, so population tests do not go through the loader.
#include "scenario/scenario.hpp"

namespace callhook::population::testing {

inline scenario::Arrival constant(double rate) {
  scenario::Arrival a;
  a.kind = scenario::Arrival::Kind::Constant;
  a.rate_per_s = rate;
  return a;
}

inline scenario::Arrival poisson(double rate) {
  scenario::Arrival a;
  a.kind = scenario::Arrival::Kind::Poisson;
  a.rate_per_s = rate;
  return a;
}

inline scenario::Arrival ramp(double start_rate, std::vector<scenario::RampStage> stages) {
  scenario::Arrival a;
  a.kind = scenario::Arrival::Kind::Ramp;
  a.start_rate = start_rate;
  a.stages = std::move(stages);
  return a;
}

inline scenario::Arrival list(std::vector<std::int64_t> at_ms) {
  scenario::Arrival a;
  a.kind = scenario::Arrival::Kind::List;
  a.at_ms = std::move(at_ms);
  return a;
}

// One stream of `calls`, seed 7, the default epoch.
inline scenario::Scenario one_stream(scenario::Calls calls, std::uint64_t seed = 7) {
  scenario::Scenario s;
  s.seed = seed;
  scenario::Stream stream;
  stream.name = "s";
  stream.vendor = "voiceflow";
  stream.calls = std::move(calls);
  s.streams.push_back(std::move(stream));
  return s;
}

inline scenario::Calls calls_with(scenario::Arrival arrival, std::optional<std::int64_t> count,
                                  std::optional<double> for_s = std::nullopt) {
  scenario::Calls c;
  c.arrival = std::move(arrival);
  c.count = count;
  c.for_s = for_s;
  return c;
}

}  // namespace callhook::population::testing
