#pragma once
// One run, start to end, as every way of running needs it: the scenario
// loaded and validated, overrides applied, the built-in sink and recording
// server when needed, the plan, the transport, the engine, then RunInfo,
// expectations, the journal's end and the reports. `callhook run` drives it
// from flags, `callhook serve` from HTTP requests on its own thread.
#include <atomic>
#include <functional>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/expectations.hpp"
#include "report/prometheus_text.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"
#include "run/bad_input.hpp"
#include "run/exit_codes.hpp"
#include "run/report_outputs.hpp"
#include "run/run_options.hpp"
#include "run/unavailable.hpp"
#include "util/json_cursor.hpp"

namespace callhook::engine {
struct RunPlan;
}

namespace callhook::run {

// What the run's progress hook and snapshot() show while it runs.
struct Progress {
  report::RunStats::Live live{};
  report::Counts totals;
  double elapsed_s = 0;
  std::int64_t in_flight = 0;
};

struct RunResult {
  int exit_code = k_exit_ok;
  bool interrupted = false;  // stopped before the end
  bool accounted = true;     // every planned delivery ended exactly once
  bool expectations_met = true;
  std::string aborted_by;  // the expectation whose "abort" stopped the run; "" when none did (then not `interrupted`)
};

class RunSession {
 public:
  using TickHook = std::function<void(const Progress& progress)>;

  explicit RunSession(RunOptions options);
  ~RunSession();
  RunSession(const RunSession&) = delete;
  RunSession& operator=(const RunSession&) = delete;

  // Loads and validates the scenario, applies the overrides, opens the
  // output files, starts the built-in sink and recording server when needed
  // and makes the plan. Returns false with problems() set when the scenario
  // is not valid; throws BadInput for an unusable output and Unavailable
  // when a server cannot start (no port, no thread).
  bool prepare();
  const util::Problems& problems() const { return m_problems; }
  // The scenario's path (or name) for messages.
  const std::string& source() const { return m_source; }
  // The scenario's name, once prepared.
  const std::string& scenario_name() const;
  // Once prepared: the number of calls when the scenario fixes it (-1
  // otherwise), for a progress line's total.
  std::int64_t total_calls() const { return m_total_calls; }

  // Runs the engine to the end, or until stop_flag() is set. on_tick is
  // called on this thread a few times a second.
  void run(const TickHook& on_tick = {});

  // RunInfo, expectations, the journal's end line, the report files; the
  // exit code. Call once, after run().
  RunResult finish();

  // Stops the built-in sink and the recording server (finish() does it
  // too); for a run that ends without finish(). Safe to call again.
  void release();

  // Set it (1 = graceful, 2 = at once) from any thread to end the run early.
  std::atomic<int>& stop_flag() { return m_stop; }
  // The latest progress, safe to read from any thread.
  Progress snapshot() const;
  // The run's numbers by vendor and its latency histogram, safe to read
  // from any thread once prepared (kept with RunOptions::metrics_host or
  // hosted; empty otherwise).
  report::MetricsSample metrics() const;
  // "http://HOST:PORT/metrics" once prepared with RunOptions::metrics_host; "" otherwise.
  const std::string& metrics_url() const { return m_metrics_url; }

  // After finish(): the reports.
  const ReportSet& reports() const { return *m_reports; }
  void print_text(std::ostream& out, bool color) const;
  const std::vector<report::ExpectationResult>& expectations() const { return m_expectations; }
  const report::RunStats& stats() const;
  const report::RunInfo& info() const { return m_info; }

 private:
  struct State;
  // Where deliveries go when the scenario names no receiver, and the base
  // URL of recordings.
  struct Receivers {
    std::string default_target, recordings_url;
  };
  // The passes of prepare(), in order.
  std::optional<scenario::Scenario> load();
  Receivers start_receivers(const scenario::Scenario& scenario);
  std::optional<engine::RunPlan> make_plan(scenario::Scenario scenario, const Receivers& receivers);
  bool make_lane_plans(const scenario::Scenario& whole, const Receivers& receivers);
  void open_journal();
  void publish(const Progress& progress);

  RunOptions m_options;
  util::Problems m_problems;
  std::string m_source;
  std::atomic<int> m_stop{0};
  double m_max_duration_s = 0;  // the run's time limit, the options' and the scenario's; 0 = none
  mutable std::mutex m_progress_mutex;
  Progress m_progress;
  std::unique_ptr<State> m_state;
  report::RunInfo m_info;
  std::vector<report::ExpectationResult> m_expectations;
  std::int64_t m_total_calls = -1;
  std::string m_metrics_url;
  std::optional<ReportSet> m_reports;
};

}  // namespace callhook::run
