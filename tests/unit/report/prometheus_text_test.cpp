// The Prometheus exposition of a run's numbers: counts by vendor and
// outcome, and cumulative latency buckets that agree with the histogram.
#include <catch2/catch.hpp>

#include "report/prometheus_text.hpp"

using callhook::report::MetricsSample;
using callhook::report::prometheus_text;

namespace {

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

}  // namespace

TEST_CASE("prometheus text: deliveries by vendor and outcome, in-flight", "[prometheus]") {
  MetricsSample sample;
  sample.vendors.push_back({"voicebot", {}});
  sample.vendors.back().counts.planned = 9;
  sample.vendors.back().counts.sent = 8;
  sample.vendors.back().counts.delivered = 5;
  sample.vendors.back().counts.failed = 2;
  sample.vendors.push_back({"atoms", {}});
  sample.in_flight = 3;
  const std::string text = prometheus_text(sample);
  CHECK(has_line(text, "# TYPE callhook_deliveries_total counter"));
  CHECK(has_line(text, R"(callhook_deliveries_total{vendor="voicebot",outcome="delivered"} 5)"));
  CHECK(has_line(text, R"(callhook_deliveries_total{vendor="voicebot",outcome="failed"} 2)"));
  CHECK(has_line(text, R"(callhook_deliveries_total{vendor="atoms",outcome="cancelled"} 0)"));
  CHECK(has_line(text, R"(callhook_deliveries_planned_total{vendor="voicebot"} 9)"));
  CHECK(has_line(text, R"(callhook_attempts_total{vendor="voicebot"} 8)"));
  CHECK(has_line(text, "callhook_in_flight 3"));
  CHECK(text.back() == '\n');
}

TEST_CASE("prometheus text: latency buckets are cumulative, in seconds, and end at the count", "[prometheus]") {
  MetricsSample sample;
  for (const std::int64_t us : {500, 800, 3000, 40000, 40000, 2000000}) sample.latency.record(us);
  const std::string text = prometheus_text(sample);
  CHECK(has_line(text, "# TYPE callhook_attempt_latency_seconds histogram"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="0.001"} 2)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="0.0025"} 2)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="0.005"} 3)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="0.05"} 5)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="1"} 5)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="2.5"} 6)"));
  CHECK(has_line(text, R"(callhook_attempt_latency_seconds_bucket{le="+Inf"} 6)"));
  CHECK(has_line(text, "callhook_attempt_latency_seconds_count 6"));
  CHECK(has_line(text, "callhook_attempt_latency_seconds_sum 2.0843"));
}

TEST_CASE("metrics samples add up by vendor name, histogram and requests in flight", "[prometheus]") {
  MetricsSample one;
  one.add_counts("voiceflow", {});
  one.vendors.back().counts.delivered = 2;
  one.latency.record(1000);
  one.in_flight = 1;
  MetricsSample two;
  two.add_counts("voicekit", {});
  two.vendors.back().counts.failed = 1;
  two.add_counts("voiceflow", {});
  two.vendors.back().counts.delivered = 3;
  two.latency.record(2000);
  two.latency.record(3000);
  one.add(two);
  REQUIRE(one.vendors.size() == 2);
  CHECK(one.vendors[0].name == "voiceflow");
  CHECK(one.vendors[0].counts.delivered == 5);
  CHECK(one.vendors[1].name == "voicekit");
  CHECK(one.vendors[1].counts.failed == 1);
  CHECK(one.latency.count() == 3);
  CHECK(one.in_flight == 1);
  const std::string text = delivery_metrics_text(one);
  CHECK(has_line(text, R"(callhook_deliveries_total{vendor="voiceflow",outcome="delivered"} 5)"));
  CHECK(has_line(text, "callhook_attempt_latency_seconds_count 3"));
  CHECK(text.find("callhook_in_flight") == std::string::npos);
}
