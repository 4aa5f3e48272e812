// callhook run: the whole pipeline, as a list of passes.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "delivery/make_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "journal/journal.hpp"
#include "report/expectations.hpp"
#include "report/html_report.hpp"
#include "report/journal_report.hpp"
#include "report/plan_estimate.hpp"
#include "report/junit.hpp"
#include "report/progress.hpp"
#include "report/run_stats.hpp"
#include "report/summary.hpp"
#include "scenario/load.hpp"
#include "sink/recordings.hpp"
#include "sink/sink.hpp"
#include "util/time_format.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_usage =
    "callhook run SCENARIO [--target URL] [--seed N] [--speed X|max] [--journal FILE] [--report FILE]\n"
    "                      [--junit FILE] [--html FILE] [--set [EVENT:]POINTER=VALUE]... [--progress auto|always|never]\n\n"
    "Runs a scenario: every stream's calls become the vendor's webhooks, sent to the stream's target\n"
    "(--target overrides all). With no target anywhere, callhook starts its built-in sink and sends\n"
    "there. Prints a summary; exits 1 when an expectation of the scenario's \"expect\" block fails.";

struct RunFlags {
  std::string scenario_path;
  std::string target;
  std::optional<std::uint64_t> seed;
  std::optional<double> speed;
  std::optional<std::int64_t> concurrency;
  std::size_t connections = 8;
  std::string journal_path, report_path, junit_path, html_path;
  std::vector<SetFlag> sets;
  std::string progress = "auto";
  bool insecure = false;
  bool quiet = false;
};

RunFlags parse_flags(const std::vector<std::string>& args, bool& help) {
  po::options_description options("options");
  std::string speed, progress = "auto";
  std::vector<std::string> sets;
  std::int64_t seed = -1, concurrency = 0;
  RunFlags f;
  options.add_options()("scenario", po::value(&f.scenario_path)->required(), "scenario file")(
      "target", po::value(&f.target), "send every stream to this URL")(
      "seed", po::value(&seed), "override the scenario's seed")(
      "speed", po::value(&speed), "virtual ms per wall ms, or \"max\" (as fast as order allows)")(
      "concurrency", po::value(&concurrency), "requests in flight at once (default: the scenario's, 64)")(
      "connections", po::value(&f.connections)->default_value(8), "keep-alive connections per receiver")(
      "journal", po::value(&f.journal_path), "write every attempt and outcome as JSONL")(
      "report", po::value(&f.report_path), "write the JSON report")(
      "junit", po::value(&f.junit_path), "write a JUnit XML report (one test case per call)")(
      "html", po::value(&f.html_path), "write a self-contained HTML report (charts, per-call timeline)")(
      "set", po::value(&sets), "[EVENT:]POINTER=VALUE: set a payload field (repeatable)")(
      "progress", po::value(&progress)->default_value("auto"), "live progress: auto, always or never")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks")(
      "quiet,q", po::bool_switch(&f.quiet), "print only problems and unmet expectations");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  help = parse_args(args, options, positional, vm, k_usage);
  if (help) return f;
  if (vm.count("seed")) {
    if (seed < 0) throw UsageError("--seed: expected a non-negative integer");
    f.seed = static_cast<std::uint64_t>(seed);
  }
  if (vm.count("speed")) f.speed = parse_speed(speed);
  if (vm.count("concurrency")) {
    if (concurrency < 1) throw UsageError("--concurrency: expected a positive integer");
    f.concurrency = concurrency;
  }
  if (f.connections < 1 || f.connections > 1024) throw UsageError("--connections: expected 1 to 1024");
  if (!f.target.empty() && !util::parse_url(f.target))
    throw UsageError("--target: expected an http:// or https:// URL, got \"" + f.target + "\"");
  if (progress != "auto" && progress != "always" && progress != "never")
    throw UsageError("--progress: expected auto, always or never, got \"" + progress + "\"");
  f.progress = progress;
  if (!f.html_path.empty() && f.journal_path == "-")
    throw UsageError("--html: reads the journal back, so --journal must name a file, not \"-\"");
  for (const auto& s : sets) f.sets.push_back(parse_set_flag(s));
  return f;
}

// Opens an output file before the run, so a bad path fails fast.
std::unique_ptr<std::ofstream> open_output(const std::string& path, const char* flag) {
  if (path.empty()) return nullptr;
  auto out = std::make_unique<std::ofstream>(path);
  if (!*out) throw UsageError(std::string(flag) + ": cannot write \"" + path + "\"");
  return out;
}

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

// "concurrent", "strict", or both joined when streams or events differ.
std::string ordering_of(const scenario::Scenario& s) {
  std::vector<std::string> seen;
  const auto add = [&](const std::string& o) {
    if (std::find(seen.begin(), seen.end(), o) == seen.end()) seen.push_back(o);
  };
  for (const auto& stream : s.streams) {
    add(stream.delivery.ordering);
    for (const auto& [event, settings] : stream.event_delivery) add(settings.ordering);
  }
  std::string text;
  for (const auto& o : seen) text += (text.empty() ? "" : ", ") + o;
  return text;
}

// A journal file in the temporary directory, for --html without --journal;
// removed when the run ends.
class TemporaryJournal {
 public:
  TemporaryJournal() {
    const char* dir = std::getenv("TMPDIR");
    std::string pattern = std::string(dir != nullptr && *dir != 0 ? dir : "/tmp") + "/callhook-journal-XXXXXX";
    const int fd = mkstemp(pattern.data());
    if (fd < 0) throw std::runtime_error("--html: cannot create a temporary journal in " + pattern);
    close(fd);
    m_path = pattern;
  }
  ~TemporaryJournal() { std::remove(m_path.c_str()); }
  TemporaryJournal(const TemporaryJournal&) = delete;
  TemporaryJournal& operator=(const TemporaryJournal&) = delete;
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

bool needs_builtin_sink(const scenario::Scenario& s, const RunFlags& flags) {
  if (!flags.target.empty()) return false;
  for (const auto& stream : s.streams)
    if (stream.target.empty()) return true;
  return false;
}

}  // namespace

int command_run(const std::vector<std::string>& args) {
  bool help = false;
  RunFlags flags = parse_flags(args, help);
  if (help) return k_exit_ok;

  // Parse and validate everything before touching the network.
  auto loaded = scenario::load_scenario(flags.scenario_path, engine::vendor_catalog());
  if (!loaded.problems.empty()) {
    std::cerr << loaded.problems.format(loaded.source);
    return k_exit_bad_input;
  }
  scenario::Scenario scenario = std::move(*loaded.scenario);
  if (flags.seed) scenario.seed = *flags.seed;
  if (flags.speed) scenario.speed = *flags.speed;
  if (flags.concurrency) scenario.concurrency = *flags.concurrency;
  for (auto& stream : scenario.streams) {
    const auto* info = vendors::find_vendor(stream.vendor);
    for (const auto& set : flags.sets) {
      for (const auto& event : info ? info->events : std::vector<std::string>{})
        if (set.event.empty() || set.event == event) stream.overrides[event][set.pointer] = set.value;
    }
  }
  auto report_out = open_output(flags.report_path, "--report");
  auto junit_out = open_output(flags.junit_path, "--junit");
  auto html_out = open_output(flags.html_path, "--html");
  // The HTML timeline is built from the journal: a temporary one when none is asked for.
  std::unique_ptr<TemporaryJournal> temporary_journal;
  if (html_out && flags.journal_path.empty()) {
    temporary_journal = std::make_unique<TemporaryJournal>();
    flags.journal_path = temporary_journal->path();
  }

  // The built-in sink stands in for a receiver when the scenario names none;
  // the recording server serves the audio files that recording URLs point at.
  std::unique_ptr<sink::Sink> builtin_sink;
  std::string default_target;
  if (needs_builtin_sink(scenario, flags)) {
    sink::SinkOptions options;
    options.threads = std::max<std::size_t>(8, flags.connections + 2);  // one thread per keep-alive connection
    builtin_sink = std::make_unique<sink::Sink>(options);
    builtin_sink->start();
    default_target = builtin_sink->url() + "/webhooks";
  }
  sink::RecordingServer recordings;
  recordings.start();

  util::Problems problems;
  auto plan = engine::make_plan(std::move(scenario), flags.target, default_target, recordings.base_url(), problems);
  if (!plan) {
    std::cerr << problems.format(loaded.source);
    return k_exit_bad_input;
  }

  const report::PlanEstimate estimate = report::estimate_plan(plan->scenario);
  if (const std::string warning = report::long_run_warning(estimate, plan->scenario.speed); !warning.empty())
    std::cerr << "callhook: warning: " << warning << "\n";

  std::unique_ptr<journal::JournalWriter> journal;
  if (!flags.journal_path.empty()) {
    try {
      journal = std::make_unique<journal::JournalWriter>(flags.journal_path);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--journal: ") + e.what());
    }
    journal->run_header(plan->scenario.name, plan->scenario.seed, plan->scenario.speed, plan->scenario.epoch_ms);
  }

  // Vendors turn calls into deliveries; faults bend them; the engine sends.
  util::SystemClock clock;
  delivery::TransportOptions transport_options;
  transport_options.connections_per_origin = flags.connections;
  transport_options.insecure = flags.insecure;
  auto transport = delivery::make_transport(transport_options, clock);
  // One record per call is kept only for JUnit, so load runs stay flat in memory.
  report::RunStats::Options stats_options;
  stats_options.keep_call_ids = !flags.junit_path.empty();
  report::RunStats stats(stats_options);
  const bool tty = isatty(STDERR_FILENO) == 1;
  report::ProgressLine progress(std::cerr, report::parse_progress_mode(flags.quiet ? "never" : flags.progress), tty);
  progress.set_total_calls(estimate.total_calls);
  const auto started_at = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch()).count();
  engine::EngineOptions options;
  options.speed = plan->scenario.speed;
  options.concurrency = plan->scenario.concurrency;
  options.on_tick = [&](double elapsed_s, std::size_t in_flight) {
    progress.update(stats.live(), elapsed_s, static_cast<std::int64_t>(in_flight));
  };
  engine::Engine engine(*plan, *transport, clock, stats, journal.get(), options);
  const engine::RunOutcome outcome = engine.run();
  progress.finish();

  // Report: text, JSON, JUnit, and the expectations as the exit code.
  report::RunInfo info;
  info.scenario_name = plan->scenario.name;
  info.scenario_path = loaded.source;
  info.seed = plan->scenario.seed;
  info.speed = plan->scenario.speed;
  info.duration_s = outcome.wall_s;
  info.virtual_span_ms = outcome.virtual_span_ms;
  info.calls = outcome.calls;
  if (outcome.first_send_us >= 0)
    info.first_delivery_ms = static_cast<double>(outcome.started_us + outcome.first_send_us - process_start_us()) / 1e3;
  info.peak_rss_mb = peak_rss_mb();
  info.interrupted = info.interrupted || outcome.interrupted;
  info.targets = targets_of(plan->scenario);
  if (info.ordering.empty()) info.ordering = ordering_of(plan->scenario);
  info.started_at = util::iso8601_ms(started_at);
  for (const std::string* path : {&flags.report_path, &flags.junit_path, &flags.html_path})
    if (!path->empty()) info.outputs.push_back(*path);
  if (!flags.journal_path.empty() && !temporary_journal) info.outputs.push_back(flags.journal_path);
  const auto expectations = report::check_expectations(plan->scenario.expect, stats);
  const bool met = report::all_met(expectations);
  info.exit_code = !stats.totals().accounted() ? k_exit_cannot_run : met ? k_exit_ok : k_exit_expectations;
  if (journal) {
    const auto& totals = stats.totals();
    journal->end(totals.planned, totals.delivered, totals.failed, totals.dropped);
    journal->flush();
  }
  if (!flags.quiet) report::print_text(stats, info, expectations, std::cout, tty);
  const auto json = report::to_json(stats, info, expectations);
  if (report_out) *report_out << json.dump(2) << "\n";
  if (junit_out) report::write_junit(stats, info, *junit_out, expectations);
  if (html_out) {
    // The numbers are the run's own (probes included); the timeline comes from the journal.
    journal.reset();
    const report::JournalReport from_journal = report::read_journal_report(flags.journal_path);
    report::write_html(*html_out, json, from_journal.timeline);
  }

  if (flags.quiet) {
    for (const std::string& problem : report::connection_problems(stats, info)) std::cerr << "callhook: " << problem << "\n";
    for (const auto& e : expectations)
      if (!e.met) std::cerr << "expectation not met: " << e.text << "\n";
  }
  return info.exit_code;
}

}  // namespace callhook::cli
