// callhook explore: its flags, then an explore session (explore/session.hpp),
// the summary (explore/output.hpp) and the exit code.
#include <unistd.h>

#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "explore/output.hpp"
#include "explore/session.hpp"
#include "run/bad_input.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

const Help& explore_help() {
  static const Help help{
      "explore",
      "callhook explore SCENARIO [--target URL] [--out DIR] [--budget N] [--seed N] [--time S] [--drops]\n"
      "                          [--reset URL] [--insecure]",
      "Searches for the delivery orders that break a receiver. Each trial plays one fresh call of the\n"
      "scenario's first stream (new ids, so the receiver needs no reset) as a script: its deliveries in\n"
      "one order, some of them again with the same delivery id, then the stream's probe. A trial fails\n"
      "on a failed probe, a receiver error (5xx, refused, reset, timeout) or a finding. Tried: the\n"
      "planned order; each delivery twice back to back, twice at once (a retry sent while the first\n"
      "attempt is unanswered), again after the call's last delivery, and with its acknowledgement lost\n"
      "(where the stream retries); every order (calls of up to 6 deliveries; longer ones a seeded sample\n"
      "with every pair of deliveries both ways round) and, with --drops, each delivery left out.\n"
      "A failing trial is shrunk (steps removed, copies removed, sends at once made one after another,\n"
      "lost acknowledgements let through, swaps undone, as long as it still fails) and its minimal\n"
      "variant run 3 more times (flaky unless it fails each time), then written as a runnable scenario\n"
      "DIR/failures/NN-NAME.json with its journal (.jsonl) beside it;\n"
      "DIR/explore.json lists the trials and failures. The same seed gives the same trials and files,\n"
      "and the same ids: explore again against a fresh receiver, with --reset, or with another --seed.\n"
      "A scenario with raw script steps (an imported incident) has its first stream's raw steps\n"
      "explored instead: the recorded requests, the same in every trial (give --reset when the\n"
      "receiver remembers them).\n"
      "Exit 1 when a failure was found, 0 when none, 2 for bad input.",
      "  callhook explore examples/receivers/voiceflow-receiver.json --target http://127.0.0.1:3000/hooks\n"
      "  callhook explore scenarios/voiceflow-basic.json --target http://127.0.0.1:3000/hooks --out found --budget "
      "200\n"
      "  callhook explore examples/receivers/voiceflow-receiver.json --seed 9 --reset http://127.0.0.1:3000/reset"};
  return help;
}

struct ExploreFlags {
  std::string scenario_path;
  std::string target;
  std::string out = "explore-out";
  std::string reset;
  std::optional<std::uint64_t> seed;
  explore::ExploreOptions options;
  bool insecure = false;
};

ExploreFlags parse_explore_flags(const std::vector<std::string>& args, bool& help) {
  ExploreFlags f;
  std::string budget = "5000", seed, time;
  po::options_description options("options");
  options.add_options()("scenario", po::value(&f.scenario_path)->value_name("SCENARIO")->required(),
                        "scenario file; its first stream is explored")(
      "target", po::value(&f.target)->value_name("URL"), "the receiver (default: the first stream's target)")(
      "out", po::value(&f.out)->value_name("DIR"), "where explore.json and failures/ go (default explore-out)")(
      "budget", po::value(&budget)->value_name("N"), "variants tried at most (default 5000)")(
      "seed", po::value(&seed)->value_name("N"), "seed of the trials' calls and samples (default: the scenario's)")(
      "time", po::value(&time)->value_name("S"), "stop trying new variants after S seconds")(
      "drops", po::bool_switch(&f.options.drops), "also leave one delivery out (the probe must allow it)")(
      "reset", po::value(&f.reset)->value_name("URL"), "POST this URL before each trial")(
      "insecure", po::bool_switch(&f.insecure), "skip TLS certificate checks");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  help = parse_args(args, options, positional, vm, explore_help());
  if (help) return f;
  f.options.budget = static_cast<std::size_t>(parse_integer("--budget", budget, 1, 10000000));
  if (vm.count("seed")) f.seed = parse_seed("--seed", seed);
  if (vm.count("time")) f.options.time_s = parse_positive("--time", time);
  for (const auto& [flag, url] : {std::pair{"--target", &f.target}, {"--reset", &f.reset}})
    if (!url->empty() && !util::parse_url(*url))
      throw UsageError(std::string(flag) + ": expected an http:// or https:// URL, got \"" + *url + "\"");
  if (f.out.empty()) throw UsageError("--out: expected a directory name");
  if (f.scenario_path == "-") throw UsageError("explore reads its scenario from a file, not standard input");
  return f;
}

}  // namespace

int command_explore(const std::vector<std::string>& args) {
  bool help = false;
  ExploreFlags flags = parse_explore_flags(args, help);
  if (help) return k_exit_ok;

  // Parse and validate everything before touching the network.
  explore::ExploreRequest request;
  request.scenario_path = flags.scenario_path;
  request.target = flags.target;
  request.reset_url = flags.reset;
  request.insecure = flags.insecure;
  request.seed = flags.seed;
  request.options = flags.options;
  util::Problems problems;
  std::string source;
  const auto prepared = explore::prepare_explore(request, problems, source);
  if (!prepared) {
    std::cerr << problems.format(source);
    return k_exit_bad_input;
  }
  if (!prepared->has_probe)
    std::cerr << "callhook: note: " << source
              << ": /streams/0 has no probe: only receiver errors and findings can fail a trial\n";
  if (dry_run()) return k_exit_ok;

  const bool tty = isatty(STDERR_FILENO) == 1;
  const explore::ProgressFn progress = [tty](std::size_t tried, std::size_t total, std::size_t failures) {
    if (tty)
      std::cerr << "\rexplore: " << tried << "/" << total << " variants, " << failures
                << (failures == 1 ? " failure " : " failures ") << std::flush;
  };
  explore::ExploreResult result;
  try {
    result = explore::run_explore(*prepared, flags.out, progress);
  } catch (const run::BadInput& e) {
    throw UsageError(std::string("--out: ") + e.what());
  }
  if (tty) std::cerr << "\r\033[K" << std::flush;
  explore::print_summary(std::cout, flags.out, prepared->setup, result);
  return result.failures.empty() ? k_exit_ok : k_exit_expectations;
}

}  // namespace callhook::cli
