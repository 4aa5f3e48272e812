// callhook run: the flags, then a RunSession (run/run_session.hpp) does the passes.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>

#include "cli/cli.hpp"
#include "cli/interrupts.hpp"
#include "cli/listen.hpp"
#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "cli/shard.hpp"
#include "report/progress.hpp"
#include "report/summary.hpp"
#include "run/run_session.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_usage =
    "callhook run SCENARIO [--target URL] [--seed N] [--speed X|max] [--journal FILE] [--report FILE]\n"
    "                      [--junit FILE] [--html FILE] [--set [EVENT:]POINTER=VALUE]... [--progress auto|always|never]\n"
    "                      [--shard I/N | --shards N] [--start-at ISO8601|+SECONDS]\n"
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
  std::string journal_path, report_path, junit_path, html_path;
  std::vector<SetFlag> sets;
  std::string progress = "auto";
  bool insecure = false;
  bool quiet = false;
  scenario::Shard shard;
  std::optional<std::int64_t> start_at_ms;  // unix ms
  std::int64_t grace_ms = 2000;
  std::optional<ListenAddress> recordings_listen;
  std::string recordings_url;
};

RunFlags parse_flags(const std::vector<std::string>& args, bool& help) {
  po::options_description options("options");
  std::string speed, progress = "auto";
  std::vector<std::string> sets;
  std::int64_t seed = -1, concurrency = 0;
  std::string shard, start_at;
  std::uint64_t shards = 0;
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
      "html", po::value(&f.html_path), "write a self-contained HTML report (charts, per-call timeline)")(
      "set", po::value(&sets), "[EVENT:]POINTER=VALUE: set a payload field (repeatable)")(
      "progress", po::value(&progress)->default_value("auto"), "live progress: auto, always or never")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks")(
      "quiet,q", po::bool_switch(&f.quiet), "print only problems and unmet expectations")(
      "shard", po::value(&shard), "I/N: play only the calls whose index % N == I (also CALLHOOK_SHARD)")(
      "shards", po::value(&shards), "N: the shard count, with the index from JOB_COMPLETION_INDEX")(
      "start-at", po::value(&start_at), "ISO8601|+SECONDS: wait until then, so shards begin together")(
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
  if (!f.html_path.empty() && f.journal_path == "-")
    throw UsageError("--html: reads the journal back, so --journal must name a file, not \"-\"");
  for (const auto& s : sets) f.sets.push_back(parse_set_flag(s));
  if (vm.count("shards") && shards == 0) throw UsageError("--shards: expected a positive integer");
  f.shard = resolve_shard(shard, vm.count("shards") ? std::optional<std::uint64_t>(shards) : std::nullopt,
                          [](const char* name) -> std::optional<std::string> {
                            const char* value = std::getenv(name);
                            return value ? std::optional<std::string>(value) : std::nullopt;
                          });
  if (!start_at.empty()) {
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    f.start_at_ms = parse_start_at(start_at, now.count());
  }
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

}  // namespace

int command_run(const std::vector<std::string>& args) {
  bool help = false;
  RunFlags flags = parse_flags(args, help);
  if (help) return k_exit_ok;

  run::RunOptions options;
  options.scenario_path = flags.scenario_path;
  options.target = flags.target;
  options.seed = flags.seed;
  options.speed = flags.speed;
  options.concurrency = flags.concurrency;
  options.connections = flags.connections;
  options.journal_path = flags.journal_path;
  options.report_path = flags.report_path;
  options.junit_path = flags.junit_path;
  options.html_path = flags.html_path;
  options.sets = flags.sets;
  options.insecure = flags.insecure;
  options.start_us = process_start_us();
  options.shard = flags.shard;
  options.start_at_ms = flags.start_at_ms;
  options.grace_ms = flags.grace_ms;
  if (flags.recordings_listen) {
    options.recordings_host = flags.recordings_listen->host;
    options.recordings_port = flags.recordings_listen->port;
  }
  options.recordings_url = flags.recordings_url;
  // From here a signal stops the run instead of killing the process; the
  // threads the session starts never take the signal (see Interrupts).
  Interrupts interrupts;
  options.stop = interrupts.flag();
  options.interrupted_exit_code = [&interrupts] { return interrupts.exit_code(); };
  run::RunSession session(std::move(options));
  try {
    // Parse and validate everything before touching the network.
    if (!session.prepare()) {
      std::cerr << session.problems().format(session.source());
      return k_exit_bad_input;
    }
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }

  for (const std::string& warning : session.warnings()) std::cerr << "callhook: warning: " << warning << "\n";

  const bool tty = isatty(STDERR_FILENO) == 1;
  report::ProgressLine progress(std::cerr, report::parse_progress_mode(flags.quiet ? "never" : flags.progress), tty);
  progress.set_total_calls(session.total_calls());
  interrupts.receive_here();
  session.run([&](const run::Progress& p) { progress.update(p.live, p.elapsed_s, p.in_flight); });
  progress.finish();

  // Report: text, JSON, JUnit, and the expectations as the exit code.
  const run::RunResult result = session.finish();
  if (!flags.quiet) session.print_text(std::cout, tty);
  if (flags.quiet) {
    for (const std::string& problem : report::connection_problems(session.stats(), session.info()))
      std::cerr << "callhook: " << problem << "\n";
    for (const auto& e : session.expectations())
      if (!e.met) std::cerr << "expectation not met: " << e.text << "\n";
  }
  if (result.interrupted && result.accounted)
    std::cerr << "callhook: run interrupted: " << session.stats().totals().cancelled
              << " planned deliveries cancelled\n";
  return result.exit_code;
}

}  // namespace callhook::cli
