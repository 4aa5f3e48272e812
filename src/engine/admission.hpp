#pragma once
// Admission: which calls start, and when. Calls are taken from the seeded
// populations only when the virtual clock (or, at max speed, the earliest
// pending delivery) reaches their start, and only while their stream is
// under its max_concurrent cap, so memory follows the calls alive at once,
// never the population's size.
#include <cstdint>
#include <functional>
#include <limits>
#include <vector>

#include "population/population.hpp"
#include "scenario/scenario.hpp"

namespace callhook::engine {

constexpr std::int64_t k_never_ms = std::numeric_limits<std::int64_t>::max();

class Admission {
 public:
  explicit Admission(const scenario::Scenario& scenario);

  // Calls of `stream` come without turns (population::make_call): neither
  // its vendor nor a probe reads them, and making them costs per call.
  void leave_out_turns(std::size_t stream) { m_populations[stream].leave_out_turns(); }

  // Starts (through `open`) every call due by horizon_ms whose stream has
  // room. A call held back by its cap starts when it gets a slot, at
  // min(horizon_ms, frontier_ms) at the earliest.
  void admit(std::int64_t horizon_ms, std::int64_t frontier_ms,
             const std::function<void(std::size_t stream, population::Call call)>& open);
  // A call of `stream` ended: its slot is free.
  void ended(std::size_t stream) { --m_live[stream]; }
  // The start of the next call that could be admitted now (k_never_ms: none).
  std::int64_t next_start() const;
  // Every population is exhausted.
  bool done() const;

 private:
  bool full(std::size_t stream) const;
  const scenario::Scenario& m_scenario;
  std::vector<population::StreamPopulation> m_populations;
  std::vector<std::int64_t> m_live;  // calls alive per stream
};

}  // namespace callhook::engine
