// callhook run: the whole pipeline, as a list of passes.
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "cli/run_shape.hpp"
#include "cli/scenario_input.hpp"
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

const Help& run_help() {
  static const Help help{
      "run",
      "callhook run SCENARIO|- [--target URL] [--seed N] [--speed X|max] [--count N] [--rate R]\n"
      "                        [--duration S] [--concurrency N] [--connections N] [--journal FILE|-]\n"
      "                        [--report FILE|-] [--junit FILE|-] [--set [EVENT:]POINTER=VALUE]...\n"
      "                        [--add [EVENT:]POINTER=VALUE]... [--progress auto|always|never] [--insecure]\n"
      "                        [--quiet]",
      "Runs a scenario (- reads it from standard input): every stream's calls become the vendor's\n"
      "webhooks, sent to the stream's target (--target overrides all). With no target anywhere, callhook\n"
      "starts its built-in sink and sends there. Prints a summary (on standard error when an output file\n"
      "is -, standard output); exits 1 when an expectation of the scenario's \"expect\" block fails.\n"
      "--count, --rate and --duration reshape a one-stream scenario's calls, load-tool style.\n"
      "--set changes a field the payloads have (EVENT: limits it to one event); --add adds one.\n" +
          std::string(k_value_typing),
      "  callhook run scenarios/demo.json\n"
      "  callhook run scenarios/voiceflow-basic.json --target http://127.0.0.1:3000/hooks --report report.json\n"
      "  callhook run scenarios/load-max.json --target http://127.0.0.1:3000/hooks --rate 500 --duration 30"};
  return help;
}

struct RunFlags {
  std::string scenario_path;
  std::string target;
  std::optional<std::uint64_t> seed;
  std::optional<double> speed;
  std::optional<std::int64_t> concurrency;
  std::size_t connections = 8;
  CallsFlags calls;
  std::string journal_path, report_path, junit_path;
  std::vector<SetFlag> sets;
  std::string progress = "auto";
  bool insecure = false;
  bool quiet = false;
};

RunFlags parse_flags(const std::vector<std::string>& args, bool& help) {
  po::options_description options("options");
  std::string speed, progress = "auto", seed, concurrency, connections = "8", count, rate, duration;
  std::vector<std::string> sets, adds;
  RunFlags f;
  options.add_options()("scenario", po::value(&f.scenario_path)->value_name("SCENARIO")->required(),
                        "scenario file, - for standard input")(
      "target", po::value(&f.target)->value_name("URL"), "send every stream to this URL")(
      "seed", po::value(&seed)->value_name("N"), "override the scenario's seed (0 to 2^64-1)")(
      "speed", po::value(&speed)->value_name("X|max"), "virtual ms per wall ms, or max (as fast as order allows)")(
      "count", po::value(&count)->value_name("N"), "calls in all (one-stream scenarios)")(
      "rate", po::value(&rate)->value_name("R"), "calls started per second, constant (one-stream scenarios)")(
      "duration", po::value(&duration)->value_name("S"), "stop starting calls after S seconds (one-stream scenarios)")(
      "concurrency", po::value(&concurrency)->value_name("N"), "requests in flight at once (default: the scenario's, 64)")(
      "connections", po::value(&connections)->value_name("N"), "keep-alive connections per receiver (default 8)")(
      "journal", po::value(&f.journal_path)->value_name("FILE|-"), "write every attempt and outcome as JSONL")(
      "report", po::value(&f.report_path)->value_name("FILE|-"), "write the JSON report")(
      "junit", po::value(&f.junit_path)->value_name("FILE|-"), "write a JUnit XML report (one test case per call)")(
      "set", po::value(&sets)->value_name("[EVENT:]POINTER=VALUE"), "change a payload field (repeatable)")(
      "add", po::value(&adds)->value_name("[EVENT:]POINTER=VALUE"), "add a payload field (repeatable)")(
      "progress", po::value(&progress)->value_name("auto|always|never"), "live progress line (default auto)")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks")(
      "quiet,q", po::bool_switch(&f.quiet), "print only problems and unmet expectations");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  help = parse_args(args, options, positional, vm, run_help());
  if (help) return f;
  if (vm.count("seed")) f.seed = parse_seed("--seed", seed);
  if (vm.count("speed")) f.speed = parse_speed(speed);
  if (vm.count("concurrency")) f.concurrency = parse_integer("--concurrency", concurrency, 1, 1000000);
  f.connections = static_cast<std::size_t>(parse_integer("--connections", connections, 1, 1024));
  if (vm.count("count")) f.calls.count = parse_integer("--count", count, 1, std::int64_t{1} << 40);
  if (vm.count("rate")) f.calls.rate = parse_positive("--rate", rate);
  if (vm.count("duration")) f.calls.duration_s = parse_positive("--duration", duration);
  if (!f.target.empty() && !util::parse_url(f.target))
    throw UsageError("--target: expected an http:// or https:// URL, got \"" + f.target + "\"");
  if (progress != "auto" && progress != "always" && progress != "never")
    throw UsageError("--progress: expected auto, always or never, got \"" + progress + "\"");
  f.progress = progress;
  int to_stdout = 0;
  for (const auto* path : {&f.journal_path, &f.report_path, &f.junit_path}) to_stdout += *path == "-";
  if (to_stdout > 1) throw UsageError("only one of --journal, --report and --junit can be - (standard output)");
  f.sets = parse_set_flags(sets, adds);
  return f;
}

// Opens an output file before the run, so a bad path fails fast; "-" is
// standard output.
std::unique_ptr<std::ostream> open_output(const std::string& path, const char* flag) {
  if (path.empty()) return nullptr;
  if (path == "-") return std::make_unique<std::ostream>(std::cout.rdbuf());
  auto out = std::make_unique<std::ofstream>(path);
  if (!*out) throw UsageError(cannot_write(flag, path, errno));
  return out;
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
  auto loaded = load_scenario_arg(flags.scenario_path);
  if (!loaded.problems.empty()) {
    std::cerr << loaded.problems.format(loaded.source);
    return k_exit_bad_input;
  }
  scenario::Scenario scenario = std::move(*loaded.scenario);
  if (flags.seed) scenario.seed = *flags.seed;
  if (flags.speed) scenario.speed = *flags.speed;
  if (flags.concurrency) scenario.concurrency = *flags.concurrency;
  apply_calls_flags(scenario, flags.calls);
  if (const std::string warning = long_run_warning(scenario); !warning.empty()) std::cerr << warning << "\n";
  const bool dry = dry_run();
  if (dry) {
    util::Problems problems;
    auto plan = engine::make_plan(std::move(scenario), flags.target, "http://127.0.0.1:9/webhooks",
                                  "http://127.0.0.1:9/recordings", problems);
    if (!plan) {
      std::cerr << problems.format(loaded.source);
      return k_exit_bad_input;
    }
    apply_set_flags(*plan, flags.sets);
    return k_exit_ok;
  }
  auto report_out = open_output(flags.report_path, "--report");
  auto junit_out = open_output(flags.junit_path, "--junit");

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
  apply_set_flags(*plan, flags.sets);

  std::unique_ptr<journal::JournalWriter> journal;
  if (!flags.journal_path.empty()) {
    try {
      journal = std::make_unique<journal::JournalWriter>(flags.journal_path);
    } catch (const std::exception&) {
      throw UsageError(cannot_write("--journal", flags.journal_path, errno));
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
  const auto expectations = report::check_expectations(plan->scenario.expect, stats);
  if (journal) {
    const auto& totals = stats.totals();
    journal->end(totals.planned, totals.delivered, totals.failed, totals.dropped);
    journal->flush();
  }
  // Standard output may carry a report or journal (-); the summary then goes to standard error.
  const bool stdout_taken = flags.journal_path == "-" || flags.report_path == "-" || flags.junit_path == "-";
  if (!flags.quiet)
    report::print_text(stats, info, expectations, stdout_taken ? std::cerr : std::cout, tty);
  if (report_out) *report_out << report::to_json(stats, info, expectations).dump(2) << "\n";
  if (junit_out) report::write_junit(stats, info, *junit_out, expectations);

  bool met = true;
  for (const auto& e : expectations) {
    if (!e.met) {
      met = false;
      if (flags.quiet) std::cerr << "expectation not met: " << e.text << "\n";
    }
  }
  if (!stats.totals().accounted()) return k_exit_cannot_run;
  return met ? k_exit_ok : k_exit_expectations;
}

}  // namespace callhook::cli
