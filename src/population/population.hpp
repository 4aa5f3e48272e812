#pragma once
// The calls of a scenario, made one at a time as the engine asks for them:
// memory does not grow with the number of calls, and every call is a pure
// function of (seed, stream, index), so a slice of the population (a shard)
// holds exactly the calls the whole run would have made at those indices.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "population/arrival.hpp"
#include "population/call.hpp"
#include "scenario/scenario.hpp"

namespace callhook::population {

// Which calls one copy of a run makes: those whose index % count == index.
using Shard = scenario::Shard;

// One stream's generated calls in start order. The scenario must outlive it.
class StreamPopulation {
 public:
  // The scenario's own shard (the whole population unless `run --shard`).
  StreamPopulation(const scenario::Scenario& scenario, std::size_t stream)
      : StreamPopulation(scenario, stream, scenario.shard) {}
  StreamPopulation(const scenario::Scenario& scenario, std::size_t stream, Shard shard);
  // Virtual unix ms of the next call, nullopt when the stream is exhausted.
  std::optional<std::int64_t> peek_start() const { return m_next_start; }
  // The next call; precondition: peek_start().
  Call next();
  // Calls come without turns from now on (nobody reads them: make_call).
  void leave_out_turns() { m_with_turns = false; }

 private:
  void settle();
  const scenario::Scenario* m_scenario;
  std::size_t m_stream;
  Shard m_shard;
  ArrivalSequence m_arrivals;
  std::optional<std::int64_t> m_next_start;
  bool m_with_turns = true;
};

// Every stream's calls merged in start order (ties: the lower stream first).
class Population {
 public:
  explicit Population(const scenario::Scenario& scenario) : Population(scenario, scenario.shard) {}
  Population(const scenario::Scenario& scenario, Shard shard);
  // Virtual unix ms of the next call of any stream, nullopt when all are exhausted.
  std::optional<std::int64_t> peek_start() const;
  // The next call; precondition: peek_start().
  Call next();

 private:
  std::optional<std::size_t> earliest() const;
  std::vector<StreamPopulation> m_streams;
};

// One call with the stream's settings at a given start, for scripts and
// `callhook sample`; the same (scenario seed, stream, index) gives the same call.
// Without turns (`with_turns` false) the call is the same but has no
// conversation: they come from a generator of their own, so leaving them out
// changes nothing else.
Call make_call(const scenario::Scenario& scenario, std::size_t stream, std::uint64_t index, std::int64_t start_ms,
               bool with_turns = true);
// The call behind a script alias: `ordinal` numbers the script's distinct
// aliases (first appearance first). Seeded apart from generated calls, so it
// never shares their ids, and unchanged when steps of other aliases change.
Call make_script_call(const scenario::Scenario& scenario, std::size_t stream, const std::string& alias,
                      std::uint64_t ordinal, std::int64_t start_ms);

}  // namespace callhook::population
