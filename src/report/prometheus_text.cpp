#include "report/prometheus_text.hpp"

#include <algorithm>
#include <cstdio>

namespace callhook::report {
namespace {

// A number as Prometheus reads it, shortest form first ("0.0025", "30").
std::string prometheus_number(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.12g", value);
  return text;
}

void header(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// A counter with one sample per vendor.
template <class Value>
void per_vendor(std::string& out, const MetricsSample& sample, const char* name, const char* help, Value value) {
  header(out, name, "counter", help);
  for (const auto& vendor : sample.vendors)
    out.append(name)
        .append("{vendor=\"")
        .append(vendor.name)
        .append("\"} ")
        .append(std::to_string(value(vendor.counts)))
        .append("\n");
}

}  // namespace

const std::vector<double>& latency_bucket_bounds_s() {
  static const std::vector<double> bounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                             0.25,  0.5,    1,     2.5,  5,     10,   30};
  return bounds;
}

void MetricsSample::add_counts(const std::string& vendor, const Counts& counts) {
  auto it = std::find_if(vendors.begin(), vendors.end(), [&](const Vendor& v) { return v.name == vendor; });
  if (it == vendors.end()) it = vendors.insert(vendors.end(), {vendor, {}});
  it->counts.add(counts);
}

void MetricsSample::add(const MetricsSample& other) {
  for (const Vendor& vendor : other.vendors) add_counts(vendor.name, vendor.counts);
  latency.merge(other.latency);
  in_flight += other.in_flight;
}

std::string delivery_metrics_text(const MetricsSample& sample) {
  std::string out;
  // Vendor names are registry names ([a-z]+), so they need no escaping.
  header(out, "callhook_deliveries_total", "counter", "Deliveries that ended, by vendor and outcome.");
  for (const auto& vendor : sample.vendors) {
    const Counts& c = vendor.counts;
    const std::pair<const char*, std::int64_t> outcomes[] = {{"delivered", c.delivered},
                                                             {"rejected_as_expected", c.rejected_as_expected},
                                                             {"failed", c.failed},
                                                             {"dropped", c.dropped},
                                                             {"cancelled", c.cancelled}};
    for (const auto& [outcome, count] : outcomes)
      out.append("callhook_deliveries_total{vendor=\"")
          .append(vendor.name)
          .append("\",outcome=\"")
          .append(outcome)
          .append("\"} ")
          .append(std::to_string(count))
          .append("\n");
  }
  per_vendor(out, sample, "callhook_deliveries_planned_total", "Deliveries planned so far, by vendor.",
             [](const Counts& c) { return c.planned; });
  per_vendor(out, sample, "callhook_attempts_total",
             "HTTP attempts answered or timed out, retries included, by vendor.",
             [](const Counts& c) { return c.sent; });

  // Cumulative counts from the histogram's buckets: each is within 1% wide,
  // so a bucket counts under the first bound at or above its lowest value.
  header(out, "callhook_attempt_latency_seconds", "histogram", "Attempt latency, answered attempts and timeouts.");
  const Histogram::Exact exact = sample.latency.exact();
  const auto& bounds = latency_bucket_bounds_s();
  std::size_t next = 0;
  std::int64_t below = 0;
  for (const double bound : bounds) {
    const double bound_us = bound * 1e6;
    while (next < exact.buckets.size() && static_cast<double>(exact.buckets[next].first) <= bound_us)
      below += exact.buckets[next++].second;
    out.append("callhook_attempt_latency_seconds_bucket{le=\"").append(prometheus_number(bound)).append("\"} ");
    out.append(std::to_string(below)).append("\n");
  }
  out.append("callhook_attempt_latency_seconds_bucket{le=\"+Inf\"} ")
      .append(std::to_string(sample.latency.count()))
      .append("\n");
  out.append("callhook_attempt_latency_seconds_sum ").append(prometheus_number(exact.sum / 1e6)).append("\n");
  out.append("callhook_attempt_latency_seconds_count ").append(std::to_string(sample.latency.count())).append("\n");
  return out;
}

std::string prometheus_text(const MetricsSample& sample) {
  std::string out = delivery_metrics_text(sample);
  header(out, "callhook_in_flight", "gauge", "Requests sent and not yet answered.");
  out.append("callhook_in_flight ").append(std::to_string(sample.in_flight)).append("\n");
  return out;
}

}  // namespace callhook::report
