#pragma once
// `run --metrics-listen HOST:PORT`: GET /metrics answers the run's live
// numbers (run/live_metrics) in the Prometheus text format
// (report/prometheus_text) while the run runs and until the process ends.
#include <string>

#include "run/live_metrics.hpp"
#include "sink/server.hpp"

namespace callhook::run {

class MetricsServer {
 public:
  // `metrics` must outlive the server.
  explicit MetricsServer(const LiveMetrics& metrics) : m_metrics(&metrics) {}
  // Binds host:port (0 = any) and serves; the bound port. Throws
  // std::runtime_error when the address cannot be bound.
  int start(const std::string& host, int port);
  // The exposition text of the run's latest numbers.
  std::string text() const;

 private:
  const LiveMetrics* m_metrics;
  sink::HttpServer m_server;
};

}  // namespace callhook::run
