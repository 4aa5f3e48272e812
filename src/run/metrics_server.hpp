#pragma once
// `run --metrics-listen HOST:PORT`: GET /metrics answers the run's live
// numbers in the Prometheus text format (report/prometheus_text) while the
// run runs and until the process ends. Each engine lane hands in its
// RunStats at its progress ticks; a scrape sums the lanes' latest.
#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "report/prometheus_text.hpp"
#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"
#include "sink/server.hpp"

namespace callhook::run {

class MetricsServer {
 public:
  // Vendors are named after the scenario's streams (each event belongs to
  // one vendor), in stream order.
  MetricsServer(const scenario::Scenario& scenario, std::size_t lanes);
  // Binds host:port (0 = any) and serves; the bound port. Throws
  // std::runtime_error when the address cannot be bound.
  int start(const std::string& host, int port);
  // One lane's latest numbers, from that lane's thread.
  void update(std::size_t lane, const report::RunStats& stats, std::int64_t in_flight);
  // The exposition text of every lane's latest numbers.
  std::string text() const;

 private:
  struct Lane {
    std::map<std::string, report::Counts> by_vendor;
    report::Histogram latency;
    std::int64_t in_flight = 0;
  };
  std::map<std::string, std::string> m_vendor_of;  // event name -> vendor
  std::vector<std::string> m_vendors;              // in stream order, each once
  mutable std::mutex m_mutex;
  std::vector<Lane> m_lanes;
  sink::HttpServer m_server;
};

}  // namespace callhook::run
