#pragma once
// What the reports say about the run itself, beside its measurements.
#include <cstdint>
#include <string>

namespace callhook::report {

struct RunInfo {
  std::string scenario_name;
  std::string scenario_path;
  std::uint64_t seed = 0;
  std::uint64_t shard_index = 0;  // this process played shard shard_index of shard_count
  std::uint64_t shard_count = 1;
  double speed = 0;               // 0 = "max"
  std::string ordering;           // per-call order ("timeline", "concurrent", "strict"); "" = not said
  double duration_s = 0;          // wall
  std::int64_t virtual_span_ms = 0;
  std::int64_t calls = 0;
  double first_delivery_ms = -1;  // process start to the first request sent; -1 when none
  double peak_rss_mb = 0;         // the process's peak resident memory
  bool interrupted = false;       // stopped by a signal or a cancel before the end
};

}  // namespace callhook::report
