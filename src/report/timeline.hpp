#pragma once
// The per-call delivery timeline the HTML report draws: one row per call,
// each attempt with its send and answer time, request and answer. Large runs
// keep every anomalous call (up to a cap) and a seeded sample of the rest.
#include <cstdint>
#include <string>
#include <vector>

#include "journal/records.hpp"
#include "util/header.hpp"

namespace callhook::report {

struct TimelineAttempt {
  int number = 1;
  std::int64_t sent_us = 0;  // wall, since the run started
  std::int64_t latency_us = 0;
  int status = 0;
  std::string error;    // "" or the transport error kind
  std::string verdict;  // "delivered", "too_slow", "failed", "rejected"
  bool will_retry = false;
  util::Headers headers;
  std::string response;  // an excerpt
};

struct TimelineDelivery {
  std::string key;
  std::string event;
  int copy = 0;        // n > 0: the n-th duplicate
  std::string result;  // "delivered", "rejected", "failed", "dropped", "cancelled"
  std::string reason;
  std::int64_t planned_ms = 0;  // virtual
  std::int64_t at_us = 0;       // wall: the first attempt, or when a drop was decided
  std::vector<std::string> faults;
  bool out_of_order = false;      // arrived after a later one of its call's lifecycle
  std::string method, url, body;  // body cut at k_body_bytes
  bool body_cut = false;
  std::vector<TimelineAttempt> attempts;
};

struct TimelineCall {
  std::string id;
  std::string vendor;
  std::vector<std::string> anomalies;  // "duplicate", "retry", "reorder", "drop", "failed", "finding", "probe", ...
  std::vector<std::string> findings;
  std::vector<journal::ProbeRecord> probes;  // answers cut at Timeline::k_body_bytes
  std::vector<TimelineDelivery> deliveries;
};

struct Timeline {
  static constexpr std::size_t k_body_bytes = 1024;
  std::vector<TimelineCall> calls;   // in order of first appearance
  std::int64_t total_calls = 0;      // in the run
  std::int64_t anomalous_calls = 0;  // in the run
  std::int64_t anomalous_shown = 0;
  std::int64_t normal_shown = 0;  // the seeded sample of calls without anomalies
  std::uint64_t sample_seed = 0;
};

}  // namespace callhook::report
