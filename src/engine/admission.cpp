#include "engine/admission.hpp"

#include <algorithm>

namespace callhook::engine {

Admission::Admission(const scenario::Scenario& scenario) : m_scenario(scenario) {
  for (std::size_t i = 0; i < scenario.streams.size(); ++i) m_populations.emplace_back(scenario, i);
  m_live.assign(scenario.streams.size(), 0);
}

bool Admission::full(std::size_t stream) const {
  const auto& cap = m_scenario.streams[stream].calls.max_concurrent;
  return cap && m_live[stream] >= *cap;
}

void Admission::admit(std::int64_t horizon_ms, std::int64_t frontier_ms,
                      const std::function<void(std::size_t, population::Call)>& open) {
  for (std::size_t s = 0; s < m_populations.size(); ++s) {
    auto& population = m_populations[s];
    while (auto start = population.peek_start()) {
      if (*start > horizon_ms || full(s)) break;
      population::Call call = population.next();
      call.start_ms = std::max(call.start_ms, std::min(horizon_ms, frontier_ms));
      ++m_live[s];
      open(s, std::move(call));
    }
  }
}

std::int64_t Admission::next_start() const {
  std::int64_t next = k_never_ms;
  for (std::size_t s = 0; s < m_populations.size(); ++s) {
    if (full(s)) continue;
    if (auto start = m_populations[s].peek_start()) next = std::min(next, *start);
  }
  return next;
}

bool Admission::done() const {
  return std::all_of(m_populations.begin(), m_populations.end(),
                     [](const population::StreamPopulation& p) { return !p.peek_start(); });
}

}  // namespace callhook::engine
