#pragma once
// A run's numbers as its metrics show them (report/prometheus_text): each
// engine lane hands in its RunStats at its progress ticks, counts summed
// per vendor (each event belongs to one vendor) and the latency histogram
// copied; sample() merges the lanes' latest. Read by `run --metrics-listen`
// (run/metrics_server) and by serve's GET /metrics, from other threads.
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "report/prometheus_text.hpp"
#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"

namespace callhook::run {

class LiveMetrics {
 public:
  // Vendors are named after the scenario's streams, in stream order.
  LiveMetrics(const scenario::Scenario& scenario, std::size_t lanes);
  // One lane's latest numbers, from that lane's thread.
  void update(std::size_t lane, const report::RunStats& stats, std::int64_t in_flight);
  // The run's final numbers in place of the lanes' (one histogram kept, not one per lane).
  void settle(const report::RunStats& stats);
  // Every lane's latest, merged.
  report::MetricsSample sample() const;

 private:
  struct Lane {
    std::map<std::string, report::Counts> by_vendor;
    report::Histogram latency;
    std::int64_t in_flight = 0;
  };
  Lane lane_of(const report::RunStats& stats, std::int64_t in_flight) const;

  std::map<std::string, std::string> m_vendor_of;  // event name -> vendor
  std::vector<std::string> m_vendors;              // in stream order, each once
  mutable std::mutex m_mutex;
  std::vector<Lane> m_lanes;
};

}  // namespace callhook::run
