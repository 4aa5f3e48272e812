// callhook run: the flags, then a RunSession (run/run_session.hpp) does the passes.
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <iterator>
#include <optional>

#include "cli/cli.hpp"
#include "cli/interrupts.hpp"
#include "cli/listen.hpp"
#include "cli/options.hpp"
#include "cli/run_shape.hpp"
#include "cli/scenario_input.hpp"
#include "cli/shard.hpp"
#include "report/progress.hpp"
#include "report/summary.hpp"
#include "run/calls_shape.hpp"
#include "run/run_session.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

const Help& run_help() {
  static const Help help{
      "run",
      "callhook run SCENARIO|- [--target URL] [--seed N] [--speed X|max] [--count N] [--rate R]\n"
      "                        [--duration S] [--max-duration S] [--concurrency N] [--connections N] [--journal "
      "FILE|-]\n"
      "                        [--json FILE|-] [--junit FILE|-] [--html FILE] [--set [EVENT:]POINTER=VALUE]...\n"
      "                        [--add [EVENT:]POINTER=VALUE]... [--progress auto|always|never] [--insecure]\n"
      "                        [--quiet] [--grace S] [--recordings-listen HOST:PORT] [--recordings-url URL]\n"
      "                        [--threads N] [--shard I/N | --shards N] [--start-at ISO8601|+SECONDS]\n"
      "                        [--metrics-listen HOST:PORT]",
      "Runs a scenario (- reads it from standard input): every stream's calls become the vendor's\n"
      "webhooks, sent to the stream's target (--target overrides all). With no target anywhere, callhook\n"
      "starts its built-in sink and sends there. Prints a summary (on standard error when an output file\n"
      "is -, standard output); exits 1 when an expectation of the scenario's \"expect\" block fails.\n"
      "--count, --rate and --duration reshape a one-stream scenario's calls, load-tool style: --duration\n"
      "stops starting calls after S seconds, and the calls in progress finish. --max-duration S limits\n"
      "the whole run: when S seconds have passed it stops as Ctrl-C does (requests in flight get --grace,\n"
      "the rest are cancelled, every output is written) and exits 4.\n"
      "--set changes a field the payloads have (EVENT: limits it to one event); --add adds one.\n" +
          std::string(run::k_value_typing) +
          "\nCtrl-C or SIGTERM stops the run: requests in flight get --grace seconds, the rest are cancelled,\n"
          "the journal and reports are written, and the exit code is 130 (SIGINT) or 143 (SIGTERM).\n"
          "--threads N runs N event loops, each with its own calls (split by index, as shards are) and its\n"
          "share of --concurrency and --connections; the default is one per core, less one when a target\n"
          "is on this machine (a loopback host, or the built-in sink), which leaves that core to the receiver.\n"
          "--shard I/N plays the calls whose index % N == I (docs/distributed.md).\n"
          "--metrics-listen HOST:PORT serves GET /metrics (Prometheus text format: deliveries by vendor and\n"
          "outcome, attempts, attempt latency histogram, requests in flight) while the run runs; its URL is\n"
          "printed on standard error (port 0: any free port).",
      "  callhook run scenarios/demo.json\n"
      "  callhook run scenarios/voiceflow-basic.json --target http://127.0.0.1:3000/hooks --json report.json\n"
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
  std::size_t threads = 0;  // 0 = the default (run/lanes.hpp)
  run::CallsShape calls;
  std::string journal_path;
  run::ReportPaths reports;
  std::vector<run::FieldSet> sets;
  std::string progress = "auto";
  bool insecure = false;
  bool quiet = false;
  scenario::Shard shard;
  std::optional<std::int64_t> start_at_ms;  // unix ms
  std::int64_t grace_ms = 2000;
  double max_duration_s = 0;  // 0 = no limit
  std::optional<ListenAddress> recordings_listen;
  std::string recordings_url;
  std::optional<ListenAddress> metrics_listen;
};

// The flags' text, checked and converted by parse_run_flags.
struct FlagText {
  std::string speed, progress = "auto", seed, concurrency, connections = "8", threads, count, rate, duration,
                     max_duration;
  std::string shard, shards, start_at, grace = "2", recordings_listen, metrics_listen;
  std::vector<std::string> sets, adds;
  JsonReportFlag json;  // --json FILE|- (and its alias --report)
};

// The options of `callhook run`: plain values land in `f`, the rest in `t`.
po::options_description run_options(RunFlags& f, FlagText& t) {
  po::options_description options("options");
  options.add_options()("scenario", po::value(&f.scenario_path)->value_name("SCENARIO")->required(),
                        "scenario file, - for standard input")("target", po::value(&f.target)->value_name("URL"),
                                                               "send every stream to this URL")(
      "seed", po::value(&t.seed)->value_name("N"), "override the scenario's seed (0 to 2^64-1)")(
      "speed", po::value(&t.speed)->value_name("X|max"), "virtual ms per wall ms, or max (as fast as order allows)")(
      "count", po::value(&t.count)->value_name("N"), "calls in all (one-stream scenarios)")(
      "rate", po::value(&t.rate)->value_name("R"), "calls started per second, constant (one-stream scenarios)")(
      "duration", po::value(&t.duration)->value_name("S"),
      "stop starting calls after S seconds; calls in progress finish (one-stream scenarios)")(
      "max-duration", po::value(&t.max_duration)->value_name("S"),
      "stop the whole run after S seconds, as an interrupt does; exit 4")(
      "concurrency", po::value(&t.concurrency)->value_name("N"),
      "requests in flight at once (default: the scenario's, 64)")(
      "connections", po::value(&t.connections)->value_name("N"), "keep-alive connections per receiver (default 8)")(
      "threads", po::value(&t.threads)->value_name("N"),
      "event loops, each with its own calls and connections (default: cores)")(
      "journal", po::value(&f.journal_path)->value_name("FILE|-"), "write every attempt and outcome as JSONL");
  t.json.add_options(options, "FILE|-");
  options.add_options()("junit", po::value(&f.reports.junit)->value_name("FILE|-"),
                        "write a JUnit XML report (one test case per call)")(
      "html", po::value(&f.reports.html)->value_name("FILE"),
      "write a self-contained HTML report (charts, per-call timeline)")(
      "set", po::value(&t.sets)->value_name("[EVENT:]POINTER=VALUE"), "change a payload field (repeatable)")(
      "add", po::value(&t.adds)->value_name("[EVENT:]POINTER=VALUE"), "add a payload field (repeatable)")(
      "progress", po::value(&t.progress)->value_name("auto|always|never"), "live progress line (default auto)")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks")(
      "quiet,q", po::bool_switch(&f.quiet), "print only problems and unmet expectations")(
      "grace", po::value(&t.grace)->value_name("S"),
      "seconds requests in flight get after Ctrl-C or SIGTERM (default 2)")(
      "recordings-listen", po::value(&t.recordings_listen)->value_name("HOST:PORT"),
      "address of the recording server (default: any loopback port)")(
      "recordings-url", po::value(&f.recordings_url)->value_name("URL"),
      "base URL of recordings written into payloads")("shard", po::value(&t.shard)->value_name("I/N"),
                                                      "play only the calls whose index % N == I (also CALLHOOK_SHARD)")(
      "shards", po::value(&t.shards)->value_name("N"), "the shard count, with the index from JOB_COMPLETION_INDEX")(
      "start-at", po::value(&t.start_at)->value_name("ISO8601|+SECONDS"), "wait until then, so shards begin together")(
      "metrics-listen", po::value(&t.metrics_listen)->value_name("HOST:PORT"),
      "serve Prometheus metrics at GET /metrics while the run runs");
  return options;
}

RunFlags parse_run_flags(const std::vector<std::string>& args, bool& help) {
  RunFlags f;
  FlagText t;
  const po::options_description options = run_options(f, t);
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  help = parse_args(args, options, positional, vm, run_help());
  if (help) return f;
  if (vm.count("seed")) f.seed = parse_seed("--seed", t.seed);
  if (vm.count("speed")) f.speed = parse_speed(t.speed);
  if (vm.count("concurrency")) f.concurrency = parse_integer("--concurrency", t.concurrency, 1, 1000000);
  f.connections = static_cast<std::size_t>(parse_integer("--connections", t.connections, 1, 1024));
  if (vm.count("threads")) f.threads = static_cast<std::size_t>(parse_integer("--threads", t.threads, 1, 1024));
  if (vm.count("count")) f.calls.count = parse_integer("--count", t.count, 1, std::int64_t{1} << 40);
  if (vm.count("rate")) f.calls.rate = parse_positive("--rate", t.rate);
  if (vm.count("duration")) f.calls.duration_s = parse_positive("--duration", t.duration);
  if (vm.count("max-duration")) {
    f.max_duration_s = parse_positive("--max-duration", t.max_duration);
    if (f.max_duration_s > 604800)
      throw UsageError("--max-duration: expected at most 604800 seconds (a week), got \"" + t.max_duration + "\"");
  }
  if (!f.target.empty() && !util::parse_url(f.target))
    throw UsageError("--target: expected an http:// or https:// URL, got \"" + f.target + "\"");
  if (t.progress != "auto" && t.progress != "always" && t.progress != "never")
    throw UsageError("--progress: expected auto, always or never, got \"" + t.progress + "\"");
  f.progress = t.progress;
  f.reports.json = t.json.path();
  f.reports.json_flag = t.json.flag();
  int to_stdout = 0;
  for (const auto* path : {&f.journal_path, &f.reports.json, &f.reports.junit}) to_stdout += *path == "-";
  if (to_stdout > 1)
    throw UsageError("only one of --journal, " + f.reports.json_flag + " and --junit can be - (standard output)");
  if (f.reports.html == "-") throw UsageError("--html: expected a file name (the page is written whole)");
  if (!f.reports.html.empty() && f.journal_path == "-")
    throw UsageError("--html: reads the journal back, so --journal must name a file, not \"-\"");
  try {
    f.sets = run::parse_field_flags(t.sets, t.adds);
  } catch (const run::FieldSetError& e) {
    throw UsageError(e.what());
  }
  const std::optional<std::uint64_t> shard_count =
      vm.count("shards") ? std::optional<std::uint64_t>(parse_integer("--shards", t.shards, 1, 1000000)) : std::nullopt;
  f.shard = resolve_shard(t.shard, shard_count, [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
  });
  if (!t.start_at.empty()) {
    const auto now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch());
    f.start_at_ms = parse_start_at(t.start_at, now.count());
  }
  const double grace_s = t.grace == "0" ? 0 : parse_positive("--grace", t.grace);
  if (grace_s > 3600) throw UsageError("--grace: expected 0 to 3600 seconds, got \"" + t.grace + "\"");
  f.grace_ms = static_cast<std::int64_t>(grace_s * 1000);
  if (vm.count("recordings-listen")) f.recordings_listen = parse_listen(t.recordings_listen, "--recordings-listen");
  if (vm.count("metrics-listen")) f.metrics_listen = parse_listen(t.metrics_listen, "--metrics-listen");
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
  RunFlags flags = parse_run_flags(args, help);
  if (help) return k_exit_ok;

  run::RunOptions options;
  options.scenario_path = flags.scenario_path;
  if (flags.scenario_path == "-") {
    options.scenario_text = std::string(std::istreambuf_iterator<char>(std::cin), {});
    options.scenario_path = "<stdin>";
  }
  options.target = flags.target;
  options.seed = flags.seed;
  options.speed = flags.speed;
  options.concurrency = flags.concurrency;
  options.connections = flags.connections;
  options.threads = flags.threads;
  options.journal_path = flags.journal_path;
  options.reports = flags.reports;
  options.insecure = flags.insecure;
  options.start_us = process_start_us();
  options.shard = flags.shard;
  options.start_at_ms = flags.start_at_ms;
  options.grace_ms = flags.grace_ms;
  options.max_duration_s = flags.max_duration_s;
  if (flags.recordings_listen) {
    options.recordings_host = flags.recordings_listen->host;
    options.recordings_port = flags.recordings_listen->port;
  }
  options.recordings_url = flags.recordings_url;
  if (flags.metrics_listen) {
    options.metrics_host = flags.metrics_listen->host;
    options.metrics_port = flags.metrics_listen->port;
  }
  options.dry_run = dry_run();
  // --count/--rate/--duration reshape the calls; --set and --add are checked
  // against each stream's vendor once the plan exists.
  options.sets = flags.sets;
  options.adjust_scenario = [&flags](scenario::Scenario& scenario) {
    run::apply_calls_shape(scenario, flags.calls);
    if (const std::string warning = long_run_warning(scenario); !warning.empty()) std::cerr << warning << "\n";
  };
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
  if (dry_run()) return k_exit_ok;
  if (!session.metrics_url().empty()) std::cerr << "callhook: metrics at " << session.metrics_url() << "\n";

  const bool tty = isatty(STDERR_FILENO) == 1;
  report::ProgressLine progress(std::cerr, report::parse_progress_mode(flags.quiet ? "never" : flags.progress), tty);
  progress.set_total_calls(session.total_calls());
  interrupts.receive_here();
  session.run([&](const run::Progress& p) { progress.update(p.live, p.elapsed_s, p.in_flight); });
  progress.finish();

  // Report: text, JSON, JUnit, HTML, and the exit code.
  const run::RunResult result = session.finish();
  // Standard output may carry a report or journal (-); the summary then goes to standard error.
  const bool stdout_taken = flags.journal_path == "-" || flags.reports.json == "-" || flags.reports.junit == "-";
  if (!flags.quiet) session.print_text(stdout_taken ? std::cerr : std::cout, tty);
  if (flags.quiet) {
    for (const std::string& problem : report::connection_problems(session.stats(), session.info()))
      std::cerr << "callhook: " << problem << "\n";
    for (const auto& e : session.expectations())
      if (!e.met) std::cerr << "expectation not met: " << e.text << "\n";
  }
  if (result.interrupted && result.accounted)
    std::cerr << (session.info().max_duration_s > 0 ? "callhook: run stopped at its max duration: "
                                                    : "callhook: run interrupted: ")
              << session.stats().totals().cancelled << " planned deliveries cancelled\n";
  return result.exit_code;
}

}  // namespace callhook::cli
