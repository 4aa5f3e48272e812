#pragma once
// When a stream's calls start, as offsets in (fractional) milliseconds from
// the scenario epoch. Constant, ramp and list arrivals are pure functions of
// the call index, so any slice of a population can be computed on its own;
// Poisson arrivals are a seeded walk and can only be taken in order.
#include <cstdint>
#include <optional>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/rng.hpp"

namespace callhook::population {

// A ramp's rate curve: rate changes linearly within each stage from the
// previous stage's target (the first from start_rate). Call i starts where
// the area under the curve (the expected number of calls) reaches i + 1.
class RampCurve {
 public:
  explicit RampCurve(const scenario::Arrival& arrival);
  // Calls the whole ramp holds: the area under it, rounded down.
  std::uint64_t capacity() const { return m_capacity; }
  // Offset of call `index`; nullopt past the end of the stages.
  std::optional<double> offset_ms(std::uint64_t index) const;
  // The same, searching forward from stage `*hint` (updated): O(1) amortized
  // when indices grow.
  std::optional<double> offset_ms(std::uint64_t index, std::size_t* hint) const;

 private:
  struct Stage {
    double start_s, duration_s, from_rate, to_rate, area_before, area;
  };
  std::vector<Stage> m_stages;
  std::uint64_t m_capacity = 0;
};

// Offset of call `index` for constant, ramp and list arrivals; nullopt for
// Poisson (not addressable) or past the end of a list or ramp.
std::optional<double> arrival_offset_ms(const scenario::Arrival& arrival, std::uint64_t index);

// How many calls a stream starts, when that is known without walking it:
// every case except a Poisson stream bounded by for_s alone.
std::optional<std::uint64_t> planned_calls(const scenario::Calls& calls);

// Arrival offsets in call order, for every kind, in O(1) amortized per call.
class ArrivalSequence {
 public:
  ArrivalSequence(const scenario::Arrival& arrival, std::uint64_t seed);
  // Index of the call peek() describes.
  std::uint64_t index() const { return m_index; }
  // Offset of call index(); nullopt when the arrival has no more calls.
  std::optional<double> peek() const { return m_offset; }
  // Moves to call `index` (>= index()). Poisson walks there; the others jump.
  void seek(std::uint64_t index);

 private:
  void compute();
  const scenario::Arrival* m_arrival;
  RampCurve m_ramp;
  util::Rng m_rng;
  std::size_t m_stage_hint = 0;
  std::uint64_t m_index = 0;
  std::optional<double> m_offset;
};

}  // namespace callhook::population
