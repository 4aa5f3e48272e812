#include "run/abort_watch.hpp"

#include <algorithm>

#include "report/expectations.hpp"

namespace callhook::run {

AbortWatch::AbortWatch(const scenario::Scenario& scenario, std::size_t lanes) {
  for (const auto& [name, limit] : scenario.expect)
    if (std::find(scenario.abort_on.begin(), scenario.abort_on.end(), name) != scenario.abort_on.end())
      m_rules.push_back(Rule{name, limit, name == "max_latency_ms"});
  m_values.assign(std::max<std::size_t>(1, lanes), std::vector<double>(m_rules.size(), 0));
}

void AbortWatch::update(std::size_t lane, const report::RunStats& stats) {
  if (m_rules.empty() || m_flag.load() != 0) return;
  const std::lock_guard lock(m_mutex);
  for (std::size_t r = 0; r < m_rules.size(); ++r)
    m_values[lane][r] = report::measured(m_rules[r].name, stats).value_or(0);
  for (std::size_t r = 0; r < m_rules.size(); ++r) {
    double total = 0;
    for (const auto& values : m_values) total = m_rules[r].is_max ? std::max(total, values[r]) : total + values[r];
    if (total > m_rules[r].limit) {
      m_broken = m_rules[r].name;
      m_flag.store(1);
      return;
    }
  }
}

std::string AbortWatch::broken() const {
  const std::lock_guard lock(m_mutex);
  return m_broken;
}

}  // namespace callhook::run
