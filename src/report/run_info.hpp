#pragma once
// What the reports say about the run itself, beside its measurements.
#include <cstdint>
#include <string>
#include <vector>

namespace callhook::report {

// The program version the reports name.
constexpr const char* k_version = "0.1.0";

struct RunInfo {
  std::string scenario_name;
  std::string scenario_path;
  std::uint64_t seed = 0;
  std::uint64_t shard_index = 0;  // this process played shard shard_index of shard_count
  std::uint64_t shard_count = 1;
  double speed = 0;       // 0 = "max"
  double duration_s = 0;  // wall
  std::int64_t virtual_span_ms = 0;
  std::int64_t calls = 0;
  std::int64_t legs = 0;             // call-back legs: call ids beyond each call's own (Voiceflow)
  double first_delivery_ms = -1;     // process start to the first request sent; -1 when none
  double peak_rss_mb = 0;            // the process's peak resident memory; 0 when unknown
  bool interrupted = false;          // stopped by a signal, a cancel, an abort or the max duration before the end
  std::string aborted_by;            // the expectation whose "abort" stopped the run early; "" when none did
  double max_duration_s = 0;         // > 0: the run's max duration (seconds) stopped it
  std::vector<std::string> targets;  // receiver URLs, each once
  std::string ordering;              // "timeline", "concurrent", "strict" (or several, joined by ", "); "" = not said
  std::string started_at;            // ISO 8601 UTC wall time; "" when unknown
  std::vector<std::string> outputs;  // files written: "report.json", "run.jsonl", ...
  int exit_code = -1;                // the process's exit code; -1 when not decided yet
};

}  // namespace callhook::report
