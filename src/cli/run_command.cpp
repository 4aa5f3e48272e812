// callhook run: the whole pipeline, as a list of passes.
#include <sys/resource.h>
#include <unistd.h>

#include <sstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli.hpp"
#include "cli/interrupts.hpp"
#include "cli/listen_address.hpp"
#include "cli/options.hpp"
#include "cli/output_file.hpp"
#include "cli/overrides.hpp"
#include "delivery/make_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "journal/journal.hpp"
#include "report/expectations.hpp"
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
    "                      [--junit FILE] [--set [EVENT:]POINTER=VALUE]... [--progress auto|always|never]\n"
    "                      [--grace SECONDS] [--recordings-listen HOST:PORT] [--recordings-url URL]\n\n"
    "Runs a scenario: every stream's calls become the vendor's webhooks, sent to the stream's target\n"
    "(--target overrides all). With no target anywhere, callhook starts its built-in sink and sends\n"
    "there. Prints a summary; exits 1 when an expectation of the scenario's \"expect\" block fails.\n"
    "Ctrl-C or SIGTERM stops the run: requests in flight get --grace seconds, the rest are cancelled,\n"
    "the journal and reports are written, and the exit code is 130 (SIGINT) or 143 (SIGTERM).";

struct RunFlags {
  std::string scenario_path;
  std::string target;
  std::optional<std::uint64_t> seed;
  std::optional<double> speed;
  std::optional<std::int64_t> concurrency;
  std::size_t connections = 8;
  std::string journal_path, report_path, junit_path;
  std::vector<SetFlag> sets;
  std::string progress = "auto";
  bool insecure = false;
  bool quiet = false;
  std::int64_t grace_ms = 2000;
  std::optional<ListenAddress> recordings_listen;
  std::string recordings_url;
};

RunFlags parse_flags(const std::vector<std::string>& args, bool& help) {
  po::options_description options("options");
  std::string speed, progress = "auto";
  std::vector<std::string> sets;
  std::int64_t seed = -1, concurrency = 0;
  double grace_s = 2;
  std::string recordings_listen;
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
      "set", po::value(&sets), "[EVENT:]POINTER=VALUE: set a payload field (repeatable)")(
      "progress", po::value(&progress)->default_value("auto"), "live progress: auto, always or never")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks")(
      "quiet,q", po::bool_switch(&f.quiet), "print only problems and unmet expectations")(
      "grace", po::value(&grace_s)->default_value(2), "seconds requests in flight get after Ctrl-C or SIGTERM")(
      "recordings-listen", po::value(&recordings_listen), "HOST:PORT for the recording server (default: any port)")(
      "recordings-url", po::value(&f.recordings_url), "base URL of recordings written into payloads");
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
  for (const auto& s : sets) f.sets.push_back(parse_set_flag(s));
  if (!(grace_s >= 0 && grace_s <= 3600)) throw UsageError("--grace: expected 0 to 3600 seconds");
  f.grace_ms = static_cast<std::int64_t>(grace_s * 1000);
  if (vm.count("recordings-listen")) f.recordings_listen = parse_listen(recordings_listen, "--recordings-listen");
  if (vm.count("recordings-url")) {
    if (!util::parse_url(f.recordings_url))
      throw UsageError("--recordings-url: expected an http:// or https:// URL, got \"" + f.recordings_url + "\"");
    while (!f.recordings_url.empty() && f.recordings_url.back() == '/') f.recordings_url.pop_back();
  }
  return f;
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

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
  // Checked now, so a bad path fails fast; written whole at the end.
  const OutputFile report_out(flags.report_path, "--report");
  const OutputFile junit_out(flags.junit_path, "--junit");
  // From here a signal stops the run instead of killing the process; the
  // threads started below never take the signal (see Interrupts).
  Interrupts interrupts;

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
  if (flags.recordings_listen)
    recordings.start(flags.recordings_listen->host, flags.recordings_listen->port);
  else
    recordings.start();
  const std::string recordings_url = flags.recordings_url.empty() ? recordings.base_url() : flags.recordings_url;

  util::Problems problems;
  auto plan = engine::make_plan(std::move(scenario), flags.target, default_target, recordings_url, problems);
  if (!plan) {
    std::cerr << problems.format(loaded.source);
    return k_exit_bad_input;
  }

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
  engine::EngineOptions options;
  options.speed = plan->scenario.speed;
  options.concurrency = plan->scenario.concurrency;
  options.on_tick = [&](double elapsed_s, std::size_t in_flight) {
    progress.update(stats.live(), elapsed_s, static_cast<std::int64_t>(in_flight));
  };
  options.stop = interrupts.flag();
  options.grace_ms = flags.grace_ms;
  engine::Engine engine(*plan, *transport, clock, stats, journal.get(), options);
  interrupts.receive_here();
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
  info.interrupted = outcome.interrupted;
  const auto expectations = report::check_expectations(plan->scenario.expect, stats);
  if (journal) {
    const auto& totals = stats.totals();
    journal->end(totals.planned, totals.delivered, totals.failed, totals.dropped, totals.cancelled,
                 outcome.interrupted);
    journal->flush();
  }
  if (!flags.quiet) report::print_text(stats, info, expectations, std::cout, tty);
  if (report_out) report_out.write(report::to_json(stats, info, expectations).dump(2) + "\n");
  if (junit_out) {
    std::ostringstream junit;
    report::write_junit(stats, info, junit, expectations);
    junit_out.write(junit.str());
  }

  bool met = true;
  for (const auto& e : expectations) {
    if (!e.met) {
      met = false;
      if (flags.quiet) std::cerr << "expectation not met: " << e.text << "\n";
    }
  }
  if (!stats.totals().accounted()) return k_exit_cannot_run;
  if (outcome.interrupted) {
    std::cerr << "callhook: run interrupted: " << stats.totals().cancelled << " planned deliveries cancelled\n";
    return interrupts.exit_code();
  }
  return met ? k_exit_ok : k_exit_expectations;
}

}  // namespace callhook::cli
