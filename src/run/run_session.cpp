// The run pipeline as a list of passes, in the order `callhook run` always
// took them.
#include "run/run_session.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <thread>

#include "delivery/make_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "journal/journal.hpp"
#include "report/journal_report.hpp"
#include "report/plan_estimate.hpp"
#include "run/abort_watch.hpp"
#include "run/lanes.hpp"
#include "run/live_metrics.hpp"
#include "run/metrics_server.hpp"
#include "run/temporary_journal.hpp"
#include "run/unavailable.hpp"
#include "scenario/load.hpp"
#include "sink/recordings.hpp"
#include "sink/sink.hpp"
#include "util/time_format.hpp"
#include "vendors/vendor.hpp"

namespace callhook::run {
namespace {

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

// Each stream's receiver, each once.
std::vector<std::string> targets_of(const scenario::Scenario& s) {
  std::vector<std::string> out;
  for (const auto& stream : s.streams)
    if (!stream.target.empty() && std::find(out.begin(), out.end(), stream.target) == out.end())
      out.push_back(stream.target);
  return out;
}

bool needs_builtin_sink(const scenario::Scenario& s, const RunOptions& options) {
  if (!options.target.empty()) return false;
  for (const auto& stream : s.streams)
    if (stream.target.empty()) return true;
  return false;
}

// The lower of two time limits, 0 meaning none.
double effective_limit(double a, double b) {
  if (a <= 0) return b;
  if (b <= 0) return a;
  return std::min(a, b);
}

}  // namespace

struct RunSession::State {
  // Checked before the run, so a bad path fails fast; written whole at the
  // end, so a failed or killed run never wipes an older report.
  std::optional<ReportOutputs> outputs;
  std::unique_ptr<TemporaryJournal> temporary_journal;
  std::int64_t started_at_ms = 0;  // unix
  std::unique_ptr<sink::Sink> builtin_sink;
  sink::RecordingServer recordings;
  std::optional<engine::RunPlan> plan;  // the process's whole share of the run
  // With more than one lane (run --threads), each lane's own plan; empty
  // when the one lane plays `plan`.
  std::vector<engine::RunPlan> lane_plans;
  std::unique_ptr<journal::JournalWriter> journal;
  util::SystemClock clock;
  std::unique_ptr<report::RunStats> stats;    // every lane's, merged at the end
  std::unique_ptr<AbortWatch> abort_watch;    // the expectations with "abort", across the lanes
  std::unique_ptr<LiveMetrics> live_metrics;  // for run --metrics-listen and serve's GET /metrics
  std::unique_ptr<MetricsServer> metrics;     // run --metrics-listen
  engine::RunOutcome outcome;

  std::size_t lane_count() const { return std::max<std::size_t>(1, lane_plans.size()); }
  const engine::RunPlan& lane_plan(std::size_t lane) const { return lane_plans.empty() ? *plan : lane_plans[lane]; }
};

namespace {

// What each lane last told the progress line.
struct LaneProgress {
  report::RunStats::Live live{};
  report::Counts totals;
  std::int64_t in_flight = 0;
};

// The lanes' progress as one run's.
Progress sum_progress(const std::vector<LaneProgress>& lanes, double elapsed_s) {
  Progress sum;
  sum.elapsed_s = elapsed_s;
  for (const LaneProgress& lane : lanes) {
    sum.live.active_calls += lane.live.active_calls;
    sum.live.sent += lane.live.sent;
    sum.live.delivered += lane.live.delivered;
    sum.live.failed += lane.live.failed;
    sum.live.dropped += lane.live.dropped;
    sum.live.in_flight_hint += lane.live.in_flight_hint;
    sum.live.calls_ended += lane.live.calls_ended;
    sum.live.p99_latency_ms = std::max(sum.live.p99_latency_ms, lane.live.p99_latency_ms);  // the worst lane's
    sum.totals.add(lane.totals);
    sum.in_flight += lane.in_flight;
  }
  return sum;
}

// The lanes' outcomes as one run's.
engine::RunOutcome merge_outcomes(const std::vector<engine::RunOutcome>& lanes) {
  engine::RunOutcome out = lanes.front();
  for (std::size_t i = 1; i < lanes.size(); ++i) {
    const engine::RunOutcome& lane = lanes[i];
    out.calls += lane.calls;
    out.legs += lane.legs;
    out.virtual_span_ms = std::max(out.virtual_span_ms, lane.virtual_span_ms);
    out.wall_s = std::max(out.wall_s, lane.wall_s);
    if (lane.first_send_us >= 0 && (out.first_send_us < 0 || lane.first_send_us < out.first_send_us))
      out.first_send_us = lane.first_send_us;
    out.interrupted = out.interrupted || lane.interrupted;
    out.max_duration_reached = out.max_duration_reached || lane.max_duration_reached;
  }
  return out;
}

}  // namespace

RunSession::RunSession(RunOptions options) : m_options(std::move(options)), m_state(std::make_unique<State>()) {
  if (!m_options.reports.junit.empty()) m_options.keep_call_ids = true;
}

RunSession::~RunSession() = default;

bool RunSession::prepare() {
  // Parse and validate everything before touching the network.
  auto scenario = load();
  if (!scenario) return false;
  auto& s = *m_state;
  if (m_options.dry_run) {
    // Checks only: placeholder addresses, nothing started or written.
    s.plan = make_plan(std::move(*scenario), {"http://127.0.0.1:9/webhooks", "http://127.0.0.1:9/recordings"});
    return s.plan.has_value();
  }
  s.outputs.emplace(m_options.reports);
  if (s.outputs->wants_html() && m_options.journal_path.empty()) {
    s.temporary_journal = std::make_unique<TemporaryJournal>("--html");
    m_options.journal_path = s.temporary_journal->path();
  }
  const Receivers receivers = start_receivers(*scenario);
  const scenario::Scenario whole = *scenario;
  s.plan = make_plan(std::move(*scenario), receivers);
  if (!s.plan) return false;
  m_total_calls = report::estimate_plan(s.plan->scenario).total_calls;
  if (!make_lane_plans(whole, receivers)) return false;
  if (m_options.metrics_host || m_options.hosted)
    s.live_metrics = std::make_unique<LiveMetrics>(s.plan->scenario, s.lane_count());
  if (m_options.metrics_host) {
    s.metrics = std::make_unique<MetricsServer>(*s.live_metrics);
    const int port = s.metrics->start(*m_options.metrics_host, m_options.metrics_port);
    m_metrics_url = sink::origin_url(*m_options.metrics_host, port) + "/metrics";
  }
  open_journal();
  return true;
}

std::optional<scenario::Scenario> RunSession::load() {
  auto loaded = m_options.scenario_text
                    ? scenario::parse_scenario(*m_options.scenario_text, m_options.scenario_path, vendors::catalog())
                    : scenario::load_scenario(m_options.scenario_path, vendors::catalog());
  m_source = loaded.source;
  if (!loaded.problems.empty()) {
    m_problems = std::move(loaded.problems);
    return std::nullopt;
  }
  scenario::Scenario scenario = std::move(*loaded.scenario);
  if (m_options.seed) scenario.seed = *m_options.seed;
  if (m_options.speed) scenario.speed = *m_options.speed;
  if (m_options.concurrency) scenario.concurrency = *m_options.concurrency;
  if (m_options.adjust_scenario) m_options.adjust_scenario(scenario);
  // A shard plays its slice of every stream; the script (one exact order)
  // belongs to shard 0 alone, so the union of the shards is the whole run.
  scenario.shard = m_options.shard;
  if (scenario.shard.index != 0) scenario.script.clear();
  return scenario;
}

RunSession::Receivers RunSession::start_receivers(const scenario::Scenario& scenario) {
  // The built-in sink stands in for a receiver when the scenario names none;
  // the recording server serves the audio files that recording URLs point at.
  auto& s = *m_state;
  Receivers out;
  // A port or a thread the system will not give is no fault of the scenario:
  // Unavailable, which serve answers 503 (and `run` exits 3).
  if (needs_builtin_sink(scenario, m_options)) {
    sink::SinkOptions options;
    options.threads = std::max<std::size_t>(8, m_options.connections + 2);  // one thread per keep-alive connection
    try {
      s.builtin_sink = std::make_unique<sink::Sink>(options);
      s.builtin_sink->start();
    } catch (const std::exception& e) {
      s.builtin_sink.reset();
      throw Unavailable(std::string("cannot start the built-in sink: ") + e.what());
    }
    out.default_target = s.builtin_sink->url() + "/webhooks";
  }
  try {
    if (m_options.recordings_host)
      s.recordings.start(*m_options.recordings_host, m_options.recordings_port);
    else
      s.recordings.start();
  } catch (const std::exception& e) {
    release();
    throw Unavailable(std::string("cannot start the recording server: ") + e.what());
  }
  out.recordings_url = m_options.recordings_url.empty() ? s.recordings.base_url() : m_options.recordings_url;
  return out;
}

std::optional<engine::RunPlan> RunSession::make_plan(scenario::Scenario scenario, const Receivers& receivers) {
  auto plan = engine::make_plan(std::move(scenario), m_options.target, receivers.default_target,
                                receivers.recordings_url, m_problems);
  if (plan) apply_field_sets(*plan, m_options.sets);
  return plan;
}

bool RunSession::make_lane_plans(const scenario::Scenario& whole, const Receivers& receivers) {
  // More than one lane: each has a plan for its slice of the calls.
  auto& s = *m_state;
  const std::size_t lanes =
      lane_count(m_options.threads, std::thread::hardware_concurrency(), receiver_on_this_machine(s.plan->scenario),
                 s.plan->scenario.concurrency, m_options.connections, calls_alive(whole, m_total_calls));
  for (std::size_t lane = 0; lanes > 1 && lane < lanes; ++lane) {
    auto plan = make_plan(lane_scenario(whole, lane, lanes), receivers);
    if (!plan) return false;
    s.lane_plans.push_back(std::move(*plan));
  }
  return true;
}

void RunSession::open_journal() {
  auto& s = *m_state;
  if (m_options.journal_path.empty()) return;
  try {
    s.journal = std::make_unique<journal::JournalWriter>(m_options.journal_path);
  } catch (const std::exception&) {
    // A hosted run's journal is the server's file, not the request's: the
    // server cannot have it now (and its path is not the client's business).
    if (m_options.hosted) throw Unavailable(std::string("cannot write the run's journal: ") + std::strerror(errno));
    throw BadInput("--journal: cannot write " + m_options.journal_path + ": " + std::strerror(errno));
  }
  const auto& sc = s.plan->scenario;
  if (!sc.shard.whole()) s.journal->set_shard(sc.shard.index, sc.shard.count);
  s.journal->set_run_facts(engine::ordering_summary(*s.plan), sc.expect);
  s.journal->run_header(sc.name, sc.seed, sc.speed, sc.epoch_ms);
  if (m_options.flush_journal_live) s.journal->flush();
}

void RunSession::run(const TickHook& on_tick) {
  auto& s = *m_state;
  if (m_options.start_at_ms) {
    // In short sleeps, so a stop request (Ctrl-C, DELETE /runs/{id}) ends
    // the wait; the engine then cancels every delivery at once.
    const std::atomic<int>& stop = m_options.stop ? *m_options.stop : m_stop;
    for (std::int64_t left = *m_options.start_at_ms - s.clock.unix_ms(); left > 0 && stop.load() == 0;
         left = *m_options.start_at_ms - s.clock.unix_ms())
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min<std::int64_t>(left, 50)));
  }
  const std::size_t lanes = s.lane_count();
  // One record per call is kept only for JUnit, so load runs stay flat in memory.
  report::RunStats::Options stats_options;
  stats_options.keep_call_ids = m_options.keep_call_ids;
  std::vector<std::unique_ptr<report::RunStats>> stats;
  std::vector<engine::RunOutcome> outcomes(lanes);
  for (std::size_t lane = 0; lane < lanes; ++lane) stats.push_back(std::make_unique<report::RunStats>(stats_options));
  s.abort_watch = std::make_unique<AbortWatch>(s.plan->scenario, lanes);
  s.started_at_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  const std::int64_t start_us = s.clock.now_us();

  // Each lane tells its progress; the first lane's thread (then this one,
  // once it is done) shows the sum.
  std::mutex progress_mutex;
  std::vector<LaneProgress> lane_progress(lanes);
  m_max_duration_s = effective_limit(m_options.max_duration_s, s.plan->scenario.max_duration_s);
  const auto show_progress = [&](double elapsed_s) {
    Progress progress;
    {
      const std::lock_guard lock(progress_mutex);
      progress = sum_progress(lane_progress, elapsed_s);
    }
    publish(progress);
    if (s.journal && m_options.flush_journal_live) s.journal->flush();
    if (on_tick) on_tick(progress);
  };

  // Vendors turn calls into deliveries; faults bend them; the engine sends.
  const auto run_lane = [&](std::size_t lane) {
    delivery::TransportOptions transport_options;
    transport_options.connections_per_origin =
        static_cast<std::size_t>(lane_share(static_cast<std::int64_t>(m_options.connections), lane, lanes));
    transport_options.insecure = m_options.insecure;
    const auto transport = delivery::make_transport(transport_options, s.clock);
    engine::EngineOptions options;
    const engine::RunPlan& plan = s.lane_plan(lane);
    options.speed = plan.scenario.speed;
    options.concurrency = plan.scenario.concurrency;
    options.stop = m_options.stop ? m_options.stop : &m_stop;
    options.grace_ms = m_options.grace_ms;
    options.start_us = start_us;
    if (m_max_duration_s > 0) options.max_duration_us = static_cast<std::int64_t>(m_max_duration_s * 1e6);
    report::RunStats& lane_stats = *stats[lane];
    if (s.abort_watch->active()) {
      options.abort = &s.abort_watch->flag();
      options.on_results = [&s, &lane_stats, lane] { s.abort_watch->update(lane, lane_stats); };
    }
    options.on_tick = [&, lane](double elapsed_s, std::size_t in_flight) {
      {
        const std::lock_guard lock(progress_mutex);
        lane_progress[lane] =
            LaneProgress{lane_stats.live(), lane_stats.totals(), static_cast<std::int64_t>(in_flight)};
      }
      if (s.live_metrics) s.live_metrics->update(lane, lane_stats, static_cast<std::int64_t>(in_flight));
      if (lane == 0) show_progress(elapsed_s);
    };
    engine::Engine engine(plan, *transport, s.clock, lane_stats, s.journal.get(), options);
    outcomes[lane] = engine.run();
    if (s.live_metrics) s.live_metrics->update(lane, lane_stats, 0);
    const std::lock_guard lock(progress_mutex);
    lane_progress[lane] = LaneProgress{lane_stats.live(), lane_stats.totals(), 0};
  };

  run_lanes(
      lanes, run_lane, [&] { show_progress(static_cast<double>(s.clock.now_us() - start_us) / 1e6); },
      [this] { m_stop.store(2); });  // a lane could not start: the others stop at once (when m_stop is theirs)

  s.stats = std::move(stats.front());
  for (std::size_t lane = 1; lane < lanes; ++lane) s.stats->merge(*stats[lane]);
  if (s.live_metrics) s.live_metrics->settle(*s.stats);
  s.outcome = merge_outcomes(outcomes);
}

RunResult RunSession::finish() {
  auto& s = *m_state;
  const auto& outcome = s.outcome;
  const auto& stats = *s.stats;
  // RunInfo, the expectations as the exit code, then the reports.
  report::RunInfo& info = m_info;
  info.scenario_name = s.plan->scenario.name;
  info.scenario_path = m_source;
  info.seed = s.plan->scenario.seed;
  info.shard_index = s.plan->scenario.shard.index;
  info.shard_count = s.plan->scenario.shard.count;
  info.speed = s.plan->scenario.speed;
  info.ordering = engine::ordering_summary(*s.plan);
  info.duration_s = outcome.wall_s;
  info.virtual_span_ms = outcome.virtual_span_ms;
  info.calls = outcome.calls;
  info.legs = outcome.legs;
  info.interrupted = outcome.interrupted;
  info.aborted_by = s.abort_watch ? s.abort_watch->broken() : "";
  if (outcome.max_duration_reached && info.aborted_by.empty()) info.max_duration_s = m_max_duration_s;
  const std::int64_t start_us = m_options.start_us >= 0 ? m_options.start_us : outcome.started_us;
  if (outcome.first_send_us >= 0)
    info.first_delivery_ms = static_cast<double>(outcome.started_us + outcome.first_send_us - start_us) / 1e3;
  info.peak_rss_mb = m_options.hosted ? 0 : peak_rss_mb();  // a server's is not the run's
  info.targets = targets_of(s.plan->scenario);
  info.started_at = util::iso8601_ms(s.started_at_ms);
  s.outputs->list(info.outputs);
  if (!m_options.journal_path.empty() && !s.temporary_journal && !m_options.hosted)
    info.outputs.push_back(m_options.journal_path);
  m_expectations = report::check_expectations(s.plan->scenario.expect, stats);
  for (auto& expectation : m_expectations)
    if (expectation.name == info.aborted_by) expectation.text += " (aborted the run)";
  const bool accounted = stats.totals().accounted();
  const bool met = report::all_met(m_expectations);
  // An abort is an unmet expectation (exit 1), not an interrupt; the max
  // duration has an exit code of its own (4).
  const bool interrupted = outcome.interrupted && info.aborted_by.empty();
  const int stopped_code = !interrupted                   ? 0
                           : outcome.max_duration_reached ? k_exit_max_duration
                                                          : m_options.interrupted_exit_code();
  info.exit_code = run_exit_code(accounted, interrupted, stopped_code, met);
  if (s.journal) {
    const auto& totals = stats.totals();
    s.journal->end(report::end_record(totals, outcome.interrupted));
    s.journal->flush();
  }
  m_reports.emplace(stats, info, m_expectations);
  // The numbers are the run's own (probes included); the HTML timeline comes
  // from the journal.
  s.outputs->write(*m_reports, [&] {
    s.journal.reset();
    return report::read_journal_report(m_options.journal_path).timeline;
  });

  // A kept run holds its numbers and files, not servers.
  release();

  Progress last;
  last.live = stats.live();
  last.totals = stats.totals();
  last.elapsed_s = outcome.wall_s;
  publish(last);

  RunResult result;
  result.interrupted = interrupted;
  result.aborted_by = info.aborted_by;
  result.expectations_met = met;
  result.accounted = accounted;
  result.exit_code = info.exit_code;
  return result;
}

void RunSession::release() {
  auto& s = *m_state;
  if (s.builtin_sink) s.builtin_sink->stop();
  s.builtin_sink.reset();
  s.recordings.stop();
}

Progress RunSession::snapshot() const {
  std::lock_guard lock(m_progress_mutex);
  return m_progress;
}

void RunSession::publish(const Progress& progress) {
  std::lock_guard lock(m_progress_mutex);
  m_progress = progress;
}

void RunSession::print_text(std::ostream& out, bool color) const { m_reports->print_text(out, color); }

const std::string& RunSession::scenario_name() const { return m_state->plan->scenario.name; }

const report::RunStats& RunSession::stats() const { return *m_state->stats; }

report::MetricsSample RunSession::metrics() const {
  return m_state->live_metrics ? m_state->live_metrics->sample() : report::MetricsSample{};
}

}  // namespace callhook::run
