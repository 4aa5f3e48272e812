#pragma once
// Everything a run measures, fed by the engine as attempts and deliveries
// end, and summarised once at the end (or many times for the progress line).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "delivery/transport.hpp"
#include "vendors/vendor.hpp"

namespace callhook::report {

enum class Final { Delivered, Failed, Dropped };

struct AttemptEvent {
  std::string event;
  std::string call_id;
  int attempt = 1;              // 1-based
  int status = 0;
  delivery::ErrorKind error = delivery::ErrorKind::None;
  bool too_slow = false;        // a 2xx after the vendor's timeout
  bool will_retry = false;
  std::int64_t latency_us = 0;
  std::int64_t lateness_us = 0; // actual send time minus planned send time (wall)
  std::int64_t sent_at_us = 0;  // since the run started (wall)
};

struct FinalEvent {
  std::string event;
  std::string call_id;
  std::uint64_t delivery = 0;   // planned delivery number
  Final result = Final::Delivered;
  int attempts = 0;
  bool out_of_order = false;    // delivered after a later-planned delivery of its session
  std::vector<std::string> faults;
  std::string reason;           // why it failed: "503 after 3 attempts", "timeout", ...
};

struct ProbeResult {
  std::string call_id;
  std::string url;
  bool passed = false;
  std::string message;          // "/status: expected \"ended\", got \"active\""
};

class RunStats {
 public:
  RunStats();
  ~RunStats();
  RunStats(const RunStats&) = delete;
  RunStats& operator=(const RunStats&) = delete;

  void on_planned(const std::string& event);
  void on_attempt(const AttemptEvent& attempt);
  void on_final(const FinalEvent& final_event);
  void on_finding(const vendors::Finding& finding);
  void on_probe(const ProbeResult& probe);
  void on_call_started();
  void on_call_ended();

  // Live numbers for the progress line.
  struct Live {
    std::int64_t active_calls, sent, delivered, failed, dropped, in_flight_hint;
    double p99_latency_ms;
  };
  Live live() const;

  // Read access for the reports (implemented in report/).
  struct Impl;
  const Impl& impl() const { return *m_impl; }

 private:
  Impl* m_impl;
};

}  // namespace callhook::report
