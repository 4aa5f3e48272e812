#pragma once
// The scenario's expectations with "abort": true, checked while the run
// runs: each engine lane reports its stats after every batch of answers,
// and as soon as the lanes together are over one rule's limit the watch
// raises its flag, which every lane's engine reads as an interrupt.
#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <vector>

#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"

namespace callhook::run {

class AbortWatch {
 public:
  AbortWatch(const scenario::Scenario& scenario, std::size_t lanes);
  // Whether the scenario has any rule to watch.
  bool active() const { return !m_rules.empty(); }
  // One lane's latest stats, on that lane's thread.
  void update(std::size_t lane, const report::RunStats& stats);
  // 1 once a rule is broken (the engine's graceful stop).
  const std::atomic<int>& flag() const { return m_flag; }
  // The rule that stopped the run, "" while none has.
  std::string broken() const;

 private:
  struct Rule {
    std::string name;
    double limit = 0;
    bool is_max = false;  // the lanes' values combine by max (the slowest attempt), else by sum
  };
  std::vector<Rule> m_rules;
  mutable std::mutex m_mutex;
  std::vector<std::vector<double>> m_values;  // [lane][rule]
  std::string m_broken;
  std::atomic<int> m_flag{0};
};

}  // namespace callhook::run
