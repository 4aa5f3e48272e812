#pragma once
// GET /metrics of `callhook serve`: the runs it holds, by state, and their
// deliveries by outcome, in the Prometheus text exposition format (0.0.4);
// then, summed over those runs, the families of `run --metrics-listen`
// (report/prometheus_text): deliveries by vendor and outcome, attempts,
// the attempt latency histogram.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "serve/run_registry.hpp"

namespace callhook::serve {

std::string metrics_text(const std::vector<std::shared_ptr<Run>>& runs, std::size_t explores, std::size_t connections);

}  // namespace callhook::serve
