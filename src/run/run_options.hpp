#pragma once
// Everything a run can be told besides its scenario, whichever way it is
// started (the `callhook run` flags, a `callhook serve` request).
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "run/field_sets.hpp"
#include "run/report_outputs.hpp"
#include "scenario/scenario.hpp"

namespace callhook::run {

struct RunOptions {
  // The scenario: read from scenario_path, or parsed from scenario_text when
  // set (then scenario_path only names it in messages).
  std::string scenario_path;
  std::optional<std::string> scenario_text;
  std::string target;  // overrides every stream's target
  std::optional<std::uint64_t> seed;
  std::optional<double> speed;  // 0 = "max"
  std::optional<std::int64_t> concurrency;
  std::size_t connections = 8;  // keep-alive connections per receiver, shared by the lanes
  // Engine threads (run/lanes.hpp); 0 = one per core (less one for a receiver on this machine). Never more than the
  // requests in flight, the connections or the calls.
  std::size_t threads = 0;
  // Output files ("" = none). The report files are checked before the run
  // so a bad path fails fast.
  std::string journal_path;
  ReportPaths reports;
  // Payload field overrides (--set/--add, a request's "set"/"add"), checked
  // against each stream's vendor once the plan exists.
  std::vector<FieldSet> sets;
  bool insecure = false;
  // One record per call, for JUnit (on by default when reports.junit is set).
  bool keep_call_ids = false;
  // Flush the journal at every progress tick, for readers that follow it.
  bool flush_journal_live = false;
  // The SystemClock time the report's first_delivery_ms counts from; the
  // run's own start when negative.
  std::int64_t start_us = -1;
  // The exit code of a run that was stopped early (a signal's 128 + n).
  std::function<int()> interrupted_exit_code = [] { return 130; };
  // How long in-flight attempts may finish after a first stop request.
  std::int64_t grace_ms = 2000;
  // A stop flag set from outside the session (the signal handler of
  // `callhook run`); the session's own stop_flag() when null.
  const std::atomic<int>* stop = nullptr;
  // The recording server's address (run --recordings-listen; any loopback
  // port when unset) and the base URL payloads show (--recordings-url;
  // the server's own when empty).
  std::optional<std::string> recordings_host;
  int recordings_port = 0;
  std::string recordings_url;
  // Where GET /metrics is served while the run runs (run --metrics-listen;
  // run/metrics_server); none when unset.
  std::optional<std::string> metrics_host;
  int metrics_port = 0;
  // Load and plan only (checks the inputs), then stop: no sink, no files.
  bool dry_run = false;
  // Changes to the scenario before planning (run --count/--rate/--duration);
  // may throw to refuse the run.
  std::function<void(scenario::Scenario&)> adjust_scenario;
  // The slice of the population this process plays (run --shard).
  scenario::Shard shard;
  // Unix ms to wait for before the first call (run --start-at).
  std::optional<std::int64_t> start_at_ms;
  // Wall seconds the run may take (0 = no limit; run --max-duration, the
  // scenario's max_duration_s when lower): once passed, the run is stopped
  // as by a first stop request (in the engine) and exits k_exit_max_duration.
  double max_duration_s = 0;
  // A run inside `callhook serve`: its reports name none of the server's
  // files and no number of the whole process (peak memory).
  bool hosted = false;
};

}  // namespace callhook::run
