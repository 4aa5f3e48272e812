#include "population/population.hpp"

#include <cmath>

namespace callhook::population {

StreamPopulation::StreamPopulation(const scenario::Scenario& scenario, std::size_t stream, Shard shard)
    : m_scenario(&scenario),
      m_stream(stream),
      m_shard(shard.count == 0 ? Shard{} : shard),
      m_arrivals(scenario.streams.at(stream).calls.arrival, util::derive(scenario.seed, stream, 0, "arrival")) {
  m_arrivals.seek(m_shard.index);
  settle();
}

void StreamPopulation::settle() {
  const scenario::Calls& calls = m_scenario->streams[m_stream].calls;
  const auto offset = m_arrivals.peek();
  const bool counted_out = calls.count && m_arrivals.index() >= static_cast<std::uint64_t>(*calls.count);
  const bool timed_out = offset && calls.for_s && *offset >= *calls.for_s * 1000.0;
  if (!offset || counted_out || timed_out) {
    m_next_start.reset();
    return;
  }
  m_next_start = m_scenario->epoch_ms + static_cast<std::int64_t>(std::llround(*offset));
}

Call StreamPopulation::next() {
  Call call = make_call(*m_scenario, m_stream, m_arrivals.index(), *m_next_start, m_with_turns);
  m_arrivals.seek(m_arrivals.index() + m_shard.count);
  settle();
  return call;
}

Population::Population(const scenario::Scenario& scenario, Shard shard) {
  m_streams.reserve(scenario.streams.size());
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) m_streams.emplace_back(scenario, i, shard);
}

std::optional<std::size_t> Population::earliest() const {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < m_streams.size(); ++i) {
    const auto start = m_streams[i].peek_start();
    if (start && (!best || *start < *m_streams[*best].peek_start())) best = i;
  }
  return best;
}

std::optional<std::int64_t> Population::peek_start() const {
  const auto stream = earliest();
  return stream ? m_streams[*stream].peek_start() : std::nullopt;
}

Call Population::next() { return m_streams[*earliest()].next(); }

}  // namespace callhook::population
