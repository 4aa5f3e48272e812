#pragma once
// What is said on a synthetic call: a bot greeting, then the caller and the
// bot in turn, on one of a few everyday topics, spread over the call.
#include <cstdint>
#include <vector>

#include "population/call.hpp"
#include "util/rng.hpp"

namespace callhook::population {

// Most turns one call holds, and the least call time each turn needs.
constexpr std::int64_t k_max_turns = 400;
constexpr std::int64_t k_min_turn_ms = 250;

// How long saying `words` words takes: a lead-in plus a speaking pace drawn
// per turn (about 140 to 210 words a minute).
constexpr double k_ms_per_word_min = 280;
constexpr double k_ms_per_word_max = 420;
constexpr double k_speech_lead_ms = 200;
double speech_ms(std::size_t words, util::Rng& rng);

// `count` turns (clamped to what the duration holds) with start and end
// offsets inside [0, duration_ms], in order and without overlap. A caller who
// wants an agent asks for one in the last user turn.
std::vector<Turn> make_turns(util::Rng& rng, std::int64_t count, std::int64_t duration_ms, bool wants_agent);

}  // namespace callhook::population
