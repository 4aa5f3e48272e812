#pragma once
// A run's live numbers in the Prometheus text exposition format (version
// 0.0.4): deliveries by vendor and outcome, attempts by vendor, the attempt
// latency histogram and the requests in flight, for `run --metrics-listen`.
#include <cstdint>
#include <string>
#include <vector>

#include "report/histogram.hpp"
#include "report/run_stats.hpp"

namespace callhook::report {

struct MetricsSample {
  struct Vendor {
    std::string name;
    Counts counts;  // summed over the vendor's events
  };
  std::vector<Vendor> vendors;  // in the order they should be listed
  Histogram latency;            // us, every answered attempt and timeout
  std::int64_t in_flight = 0;

  // Adds a vendor's counts to its entry (a new vendor goes last).
  void add_counts(const std::string& vendor, const Counts& counts);
  // Adds another sample (another run's, another lane's): counts by vendor,
  // the histogram, the requests in flight.
  void add(const MetricsSample& other);
};

// The upper bounds (seconds) of the latency histogram's buckets, +Inf aside.
const std::vector<double>& latency_bucket_bounds_s();

// The exposition text: each metric's # HELP and # TYPE lines, then its
// samples; a histogram's buckets are cumulative and end with le="+Inf".
std::string prometheus_text(const MetricsSample& sample);
// The same without callhook_in_flight, for an exposition that counts the
// requests in flight its own way (serve's GET /metrics).
std::string delivery_metrics_text(const MetricsSample& sample);

}  // namespace callhook::report
