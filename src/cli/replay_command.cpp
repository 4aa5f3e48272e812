// callhook replay: flags to run::ReplayOptions, the replay (run/replay),
// and its one-line summary. With --resign, Standard Webhooks and Svix
// signatures are made again at the moment of sending, so a journal replayed
// hours later still verifies.
#include <iomanip>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "delivery/make_transport.hpp"
#include "journal/reader.hpp"
#include "run/bad_input.hpp"
#include "run/replay.hpp"
#include "util/json_cursor.hpp"

namespace callhook::cli {
namespace {

const Help k_replay_help{
    "replay",
    "callhook replay JOURNAL [--target URL] [--speed X|max] [--only CALL | --delivery KEY] [--resign SECRET]...\n"
    "                        [--connections N] [--insecure]",
    "Sends the attempts recorded in a journal again: the same method, URL, headers (signatures\n"
    "included) and body, in the recorded send order with the recorded relative timing (divided by\n"
    "--speed; \"max\" sends without waiting). A call's next request waits for the answer to its\n"
    "previous one, so each call's requests arrive in their recorded order at any --speed and\n"
    "--connections; different calls go in parallel. --target replaces the scheme, host and port of\n"
    "every URL (each recorded path is kept); --only keeps one call's requests.\n\n"
    "--delivery KEY (a journal's \"delivery\" key, such as 0.3.2) sends that one delivery's last attempt\n"
    "again, at once, and prints its answer; exit 0 when it is a 2xx, 1 otherwise.\n\n"
    "Without --resign the bytes go out as recorded, signature headers included, so a receiver that\n"
    "checks signature timestamps against its clock rejects a journal older than its tolerance.\n"
    "--resign SECRET (repeat it for several secrets) signs each request again at the current time\n"
    "in the scheme it carried (Standard Webhooks webhook-* or Svix svix-* headers); a request the\n"
    "journal marks bad_signature is signed over a tampered body again, one it marks\n"
    "stale_timestamp as far behind the current time as it was behind its recorded send time.\n"
    "X-Signature headers carry no timestamp and go out as recorded.",
    "  callhook replay run.jsonl --speed max\n"
    "  callhook replay run.jsonl --target http://127.0.0.1:3000 --only CA0123456789abcdef0123456789abcdef\n"
    "  callhook replay run.jsonl --delivery 0.3.2 --resign whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"};

struct ReplayFlags {
  run::ReplayOptions replay;
  std::size_t connections = 8;
  bool insecure = false;
};

// The flags, checked; nullopt when --help was asked for.
std::optional<ReplayFlags> parse_replay_flags(const std::vector<std::string>& args) {
  ReplayFlags flags;
  std::string target_text, speed_text = "1", connections_text = "8";
  po::options_description options("options");
  options.add_options()("journal", po::value(&flags.replay.journal)->value_name("JOURNAL")->required(),
                        "journal file (JSONL)")("target", po::value(&target_text)->value_name("URL"),
                                                "send to this origin instead")(
      "speed", po::value(&speed_text)->value_name("X|max"), "timing divisor, or max (default 1: as recorded)")(
      "only", po::value(&flags.replay.only)->value_name("CALL"), "replay only this call id")(
      "delivery", po::value(&flags.replay.delivery)->value_name("KEY"), "send only this delivery's last attempt again")(
      "resign", po::value(&flags.replay.resign_secrets)->value_name("SECRET"),
      "sign again at send time with this secret (repeatable)")(
      "connections", po::value(&connections_text)->value_name("N"), "keep-alive connections per receiver (default 8)")(
      "insecure", po::bool_switch(&flags.insecure), "skip TLS certificate checks");
  po::positional_options_description positional;
  positional.add("journal", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_replay_help)) return std::nullopt;
  flags.replay.speed = parse_speed(speed_text);
  if (!flags.replay.only.empty() && !flags.replay.delivery.empty())
    throw UsageError("--only and --delivery: give one (a delivery belongs to one call)");
  flags.connections = static_cast<std::size_t>(parse_integer("--connections", connections_text, 1, 1024));
  if (!target_text.empty()) {
    flags.replay.target = util::parse_url(target_text);
    if (!flags.replay.target)
      throw UsageError("--target: expected an http:// or https:// URL, got \"" + target_text + "\"");
    const std::string& path = flags.replay.target->target;
    if (path != "/" && !path.empty())
      std::cerr << "warning: --target " << target_text << ": only its origin is used; each request keeps its "
                << "recorded path (" << path << " is ignored)\n";
  }
  return flags;
}

// --only or --delivery named a call or delivery the journal has no request
// of: which ones it has.
UsageError none_such(const std::string& flag, const std::string& name, const std::string& what,
                     const std::string& whats, const std::vector<std::string>& seen, const run::ReplayOptions& options,
                     const run::ReplayResult& result) {
  const std::string guess = util::did_you_mean(name, seen);
  std::string some;
  for (std::size_t i = 0; i < seen.size() && i < 5; ++i) some += (i ? ", " : "") + seen[i];
  const std::string count =
      seen.size() > 5 ? " (" + std::to_string(seen.size()) + (result.seen_capped ? "+" : "") + " in all)" : "";
  return UsageError(
      flag + " " + name + ": " + options.journal + " has no request of that " + what +
      (guess.empty() ? "" : " (did you mean " + guess + "?)") +
      (seen.empty() ? std::string("; it has no requests") : "; its " + whats + " include " + some + count));
}

// The one delivery's answer, as `callhook trigger` prints one.
int print_answer(const run::ReplayOptions& options, const run::ReplayResult& result) {
  const delivery::HttpResult& answer = *result.answer;
  const double ms = static_cast<double>(answer.latency_us) / 1e3;
  std::cout << std::fixed << std::setprecision(2) << "resent " << options.delivery << ": ";
  if (answer.error != delivery::ErrorKind::None) {
    std::cout << delivery::error_name(answer.error) << " error after " << ms << " ms: " << answer.error_text << "\n";
    return k_exit_expectations;
  }
  std::cout << answer.status << " in " << ms << " ms\n< " << answer.body << "\n";
  return answer.status / 100 == 2 ? k_exit_ok : k_exit_expectations;
}

}  // namespace

int command_replay(const std::vector<std::string>& args) {
  const auto flags = parse_replay_flags(args);
  if (!flags) return k_exit_ok;
  const run::ReplayOptions& options = flags->replay;
  if (dry_run()) {
    try {
      journal::JournalReader reader(options.journal);
    } catch (const journal::JournalError& e) {
      throw UsageError(e.what());
    }
    return k_exit_ok;
  }

  util::SystemClock clock;
  delivery::TransportOptions transport_options;
  transport_options.connections_per_origin = flags->connections;
  transport_options.insecure = flags->insecure;
  auto transport = delivery::make_transport(transport_options, clock);
  run::ReplayResult result;
  try {
    result = run::replay(options, *transport, clock);
  } catch (const journal::JournalError& e) {
    throw UsageError(e.what());
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
  if (result.cut_line)
    std::cerr << "callhook: warning: " << options.journal << ":" << *result.cut_line
              << ": the last line is cut short (the run was killed while writing it); replayed the records before it\n";
  if (!options.only.empty() && result.sent == 0)
    throw none_such("--only", options.only, "call", "calls", result.calls_seen, options, result);
  if (!options.delivery.empty()) {
    if (!result.answer)
      throw none_such("--delivery", options.delivery, "delivery", "deliveries", result.deliveries_seen, options,
                      result);
    return print_answer(options, result);
  }
  std::cout << "replayed " << result.sent << (result.sent == 1 ? " request" : " requests") << ": " << result.ok
            << " answered 2xx, " << result.other << " other statuses, " << result.errors << " transport errors\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
