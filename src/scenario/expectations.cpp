#include "scenario/expectations.hpp"

namespace callhook::scenario {

const std::vector<ExpectationInfo>& expectation_catalog() {
  static const std::vector<ExpectationInfo> catalog = {
      {"planned", Bound::AtLeast, true, false, "planned deliveries, fault copies included"},
      {"delivered", Bound::AtLeast, true, false, "deliveries that ended with an accepted answer"},
      {"failed", Bound::AtMost, true, false, "deliveries that ended failed after their last attempt", true},
      {"dropped", Bound::AtMost, true, false, "deliveries dropped by a drop fault", true},
      {"retried", Bound::AtMost, true, false, "attempts after the first, over all deliveries", true},
      {"too_slow", Bound::AtMost, true, false, "2xx answers that came after the vendor's timeout", true},
      {"out_of_order", Bound::AtMost, true, false, "deliveries accepted after a later one in their call's lifecycle",
       true},
      {"rejected_as_expected", Bound::AtLeast, true, false,
       "deliveries sent with bad_signature or stale_timestamp that the receiver refused with a 4xx, as it must"},
      {"accepted_bad_signature", Bound::AtMost, true, false,
       "deliveries with a bad signature the receiver accepted (2xx); 0 unless the scenario allows more", true},
      {"accepted_stale_timestamp", Bound::AtMost, true, false,
       "deliveries with a stale timestamp the receiver accepted (2xx); 0 unless the scenario allows more", true},
      {"findings", Bound::AtMost, true, false,
       "answers the real vendor would reject (handshakes), and accepted bad signatures or stale timestamps", true},
      {"probe_failures", Bound::AtMost, true, false, "state probes whose answer did not match", true},
      {"p50_latency_ms", Bound::AtMost, false, false, "median attempt latency"},
      {"p90_latency_ms", Bound::AtMost, false, false, "90th percentile attempt latency"},
      {"p99_latency_ms", Bound::AtMost, false, false, "99th percentile attempt latency"},
      {"max_latency_ms", Bound::AtMost, false, false, "slowest attempt", true},
      {"p99_lateness_ms", Bound::AtMost, false, false, "99th percentile of how late attempts left"},
      {"min_delivered_ratio", Bound::AtLeast, false, true, "delivered divided by planned (1 when nothing was planned)"},
      {"min_throughput_per_s", Bound::AtLeast, false, false, "mean attempts sent per wall second"},
  };
  return catalog;
}

const ExpectationInfo* find_expectation(std::string_view name) {
  for (const auto& info : expectation_catalog())
    if (info.name == name) return &info;
  return nullptr;
}

std::string abortable_names() {
  std::string out;
  for (const auto& info : expectation_catalog())
    if (info.can_abort) out += std::string(out.empty() ? "" : ", ") + std::string(info.name);
  return out;
}

bool expectation_met(Bound bound, double limit, double actual) {
  return bound == Bound::AtMost ? actual <= limit : actual >= limit;
}

std::string_view bound_symbol(Bound bound) { return bound == Bound::AtMost ? "<=" : ">="; }

}  // namespace callhook::scenario
