#include <algorithm>
#include <cmath>

#include "population/conversation.hpp"
#include "population/population.hpp"
#include "util/ids.hpp"

namespace callhook::population {

namespace {

// Each aspect of a call draws from its own generator, so adding a setting
// later does not change the calls existing scenarios make.
util::Rng aspect(std::uint64_t call_seed, std::string_view name) {
  return util::Rng(util::derive(call_seed, 0, 0, name));
}

std::string pick(const scenario::Mix& mix, util::Rng rng) {
  if (mix.empty()) return "";
  std::vector<double> weights;
  weights.reserve(mix.size());
  for (const auto& [value, weight] : mix) weights.push_back(weight);
  return mix[rng.weighted(weights)].first;
}

std::int64_t duration_ms(const scenario::Distribution& seconds, util::Rng& rng) {
  return std::max<std::int64_t>(1000, static_cast<std::int64_t>(std::llround(seconds.sample(rng) * 1000.0)));
}

// Everything about a call but its identity follows from its seed.
Call build(const scenario::Scenario& scenario, std::size_t stream, std::uint64_t index, std::uint64_t seed,
           std::int64_t start_ms, bool with_turns = true) {
  const scenario::Calls& settings = scenario.streams.at(stream).calls;
  Call call;
  call.stream = stream;
  call.index = index;
  call.seed = seed;
  call.start_ms = start_ms;
  util::Rng durations = aspect(call.seed, "duration");
  call.duration_ms = duration_ms(settings.duration_s, durations);
  call.direction = pick(settings.direction, aspect(call.seed, "direction"));
  call.platform = pick(settings.platform, aspect(call.seed, "platform"));
  call.country = settings.country;
  util::Rng numbers = aspect(call.seed, "numbers");
  call.user_number = util::e164(numbers, settings.country);
  call.agent_number = util::e164(numbers, settings.country);
  call.wants_agent = aspect(call.seed, "transfer").chance(settings.transfer_p);
  if (util::Rng back = aspect(call.seed, "return"); back.chance(settings.return_p)) {
    call.return_after_ms = back.range(3000, 60000);
    call.return_duration_ms = duration_ms(settings.duration_s, back);
  }
  call.custom_parameters = settings.custom_parameters;
  if (!with_turns) return call;
  util::Rng turns = aspect(call.seed, "turns");
  const auto count = static_cast<std::int64_t>(std::llround(settings.turns.sample(turns)));
  call.turns = make_turns(turns, count, call.duration_ms, call.wants_agent);
  return call;
}

}  // namespace

Call make_call(const scenario::Scenario& scenario, std::size_t stream, std::uint64_t index, std::int64_t start_ms,
               bool with_turns) {
  return build(scenario, stream, index, util::derive(scenario.seed, stream, index, "call"), start_ms, with_turns);
}

Call make_script_call(const scenario::Scenario& scenario, std::size_t stream, const std::string& alias,
                      std::uint64_t ordinal, std::int64_t start_ms) {
  Call call = build(scenario, stream, ordinal, util::derive(scenario.seed, stream, ordinal, "script"), start_ms);
  call.alias = alias;
  return call;
}

}  // namespace callhook::population
