#pragma once
// Builders for the events the engine feeds RunStats, shared by the tests.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "report/run_stats.hpp"

namespace callhook::report::testing {

inline AttemptEvent attempt(std::string event, std::string call_id, int status, std::int64_t latency_us,
                            std::int64_t sent_at_us = 0, int number = 1) {
  AttemptEvent a;
  a.event = std::move(event);
  a.call_id = std::move(call_id);
  a.attempt = number;
  a.status = status;
  a.latency_us = latency_us;
  a.sent_at_us = sent_at_us;
  return a;
}

// A judged probe: its call, URL, verdict and message.
inline ProbeResult probe(std::string call_id, std::string url, bool passed, std::string message) {
  ProbeResult p;
  p.call_id = std::move(call_id);
  p.url = std::move(url);
  p.passed = passed;
  p.message = std::move(message);
  return p;
}

inline AttemptEvent transport_error(std::string event, std::string call_id, delivery::ErrorKind error,
                                    std::int64_t latency_us, int number = 1) {
  AttemptEvent a = attempt(std::move(event), std::move(call_id), 0, latency_us, 0, number);
  a.error = error;
  return a;
}

inline FinalEvent final_event(std::string event, std::string call_id, std::uint64_t delivery, Final result,
                              std::string reason = {}, std::vector<std::string> faults = {}) {
  FinalEvent f;
  f.event = std::move(event);
  f.call_id = std::move(call_id);
  f.delivery = delivery;
  f.result = result;
  f.attempts = result == Final::Dropped ? 0 : 1;
  f.reason = std::move(reason);
  f.faults = std::move(faults);
  return f;
}

}  // namespace callhook::report::testing
