// callhook trigger: one event sent to a receiver, exactly as a run sends it
// (same payload builder, headers, signature and transport), with the answer
// judged as the vendor judges it (run/trigger_event, as POST /trigger).
#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <optional>
#include <thread>

#include "cli/cli.hpp"
#include "cli/listen.hpp"
#include "cli/one_event.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "run/trigger_call.hpp"
#include "run/trigger_event.hpp"
#include "sink/recordings.hpp"
#include "sink/sink.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

const Help& trigger_help() {
  static const Help help{
      "trigger",
      "callhook trigger VENDOR EVENT [--target URL] [--secret S] [--seed N] [--set POINTER=VALUE]...\n"
      "                              [--add POINTER=VALUE]... [--platform P] [--direction inbound|outbound]\n"
      "                              [--config JSON] [--insecure] [--recordings-listen HOST:PORT]\n"
      "                              [--recordings-url URL] [--recordings-hold S]\n"
      "callhook trigger VENDOR --call [--journal FILE] [the same options but --recordings-hold]",
      "Sends one EVENT webhook of a synthetic call to URL (default: a built-in sink started for it), built\n"
      "and signed exactly as a run would (payload times and signature at the current time), and prints\n"
      "the request (line, headers, body), then the status, latency and answer. A handshake answer (VoiceBot\n"
      "session_start, VoiceKit callStartedHook) is read as the vendor reads it and its findings printed.\n"
      "Exit 0 when the vendor would accept the answer (2xx within its timeout, no findings), 1 otherwise.\n"
      "Recording URLs in the body point at a recording server trigger runs until the answer comes\n"
      "(--recordings-hold S: S seconds longer), or at --recordings-url URL.\n\n"
      "--call sends every delivery of one synthetic call instead (start, transcripts or turns, end,\n"
      "recording and insight events: what the vendor sends for a call), in order, each after the answer\n"
      "to the one before, each tried once; handshake answers change the rest of the call as in a run\n"
      "(VoiceBot session_start's webhook_config, VoiceKit callStartedHook's runtime data). It prints one\n"
      "line per delivery (event, status, latency, outcome) and any findings; exit 0 when the vendor would\n"
      "accept every answer, 1 otherwise. --set EVENT:POINTER=VALUE changes one event's payloads. Its\n"
      "recordings are served, as in a run, until the call's last answer.\n" +
          std::string(run::k_value_typing),
      "  callhook trigger voiceflow runtime.call.start\n"
      "  callhook trigger voicebot session_start --target http://127.0.0.1:3000/voicebot\n"
      "  callhook trigger atoms analytics.completed --target http://127.0.0.1:3000/hooks --secret whsec_test\n"
      "  callhook trigger voicebot --call --target http://127.0.0.1:3000/voicebot"};
  return help;
}

void print_request(const delivery::HttpRequest& request, const vendors::Delivery& d) {
  std::cout << "> " << d.method << " " << d.url << "\n";
  for (const auto& [name, value] : request.headers) std::cout << "> " << name << ": " << value << "\n";
  if (d.method != "GET") std::cout << ">\n> " << d.body << "\n";
  std::cout.flush();
}

void print_outcome(const run::TriggerOutcome& outcome, const vendors::Delivery& d) {
  const delivery::HttpResult& result = outcome.result;
  std::cout << std::fixed << std::setprecision(2);
  if (result.error != delivery::ErrorKind::None)
    std::cout << "< " << delivery::error_name(result.error) << " error after "
              << static_cast<double>(result.latency_us) / 1e3 << " ms: " << result.error_text << "\n";
  else
    std::cout << "< " << result.status << " in " << static_cast<double>(result.latency_us) / 1e3 << " ms"
              << (outcome.verdict == delivery::Verdict::TooSlow
                      ? " (too slow: " + d.event + " times out after " + std::to_string(outcome.timeout_ms) + " ms)"
                      : "")
              << "\n< " << result.body << "\n";
  for (const auto& f : outcome.findings) std::cout << "finding: " << f.message << "\n";
  // One verdict line; a handshake's says its answer was read as the vendor reads it.
  if (outcome.accepted())
    std::cout << (outcome.handshake ? "accepted (the handshake answer too)" : "accepted") << "\n";
  else
    std::cout << "not accepted\n";
}

// One line per delivery of a --call, then its findings.
void print_delivery(const run::CallDelivery& d, std::size_t n) {
  std::cout << std::setw(3) << n << "  " << std::left << std::setw(34) << d.event << std::right;
  if (d.result.empty())
    std::cout << "     -";
  else if (!d.error.empty())
    std::cout << std::setw(6) << d.error;
  else if (d.status == 0)
    std::cout << "     -";
  else
    std::cout << std::setw(6) << d.status;
  std::cout << std::setw(10) << static_cast<double>(d.latency_us) / 1e3 << " ms  "
            << (d.accepted() ? "accepted" : "not accepted");
  if (!d.result.empty() && d.result != "delivered")
    std::cout << " (" << d.result << (d.reason.empty() ? "" : ": " + d.reason) << ")";
  std::cout << "\n";
  for (const auto& f : d.findings) std::cout << "     finding: " << f << "\n";
}

int trigger_call(const EventFlags& flags, const std::string& target, const std::string& journal, bool insecure,
                 const std::optional<ListenAddress>& recordings_listen) {
  run::CallTriggerOptions options;
  options.call = sample_request(flags, target, util::SystemClock().unix_ms() / 1000 * 1000);
  options.insecure = insecure;
  options.journal_path = journal;
  options.recordings_url = flags.recordings_url;
  if (recordings_listen) {
    options.recordings_host = recordings_listen->host;
    options.recordings_port = recordings_listen->port;
  }
  if (dry_run()) return k_exit_ok;
  util::Problems problems;
  std::optional<run::CallTriggerResult> result;
  try {
    result = run::trigger_call(options, problems);
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
  if (!result) {
    std::cerr << problems.format("command line");
    return k_exit_bad_input;
  }
  std::cout << std::fixed << std::setprecision(2) << "call " << result->call_id << "\n";
  std::size_t n = 0;
  for (const auto& d : result->deliveries) print_delivery(d, ++n);
  const auto refused = std::count_if(result->deliveries.begin(), result->deliveries.end(),
                                     [](const run::CallDelivery& d) { return !d.accepted(); });
  std::cout << result->deliveries.size() << (result->deliveries.size() == 1 ? " delivery, " : " deliveries, ")
            << (refused == 0 ? std::string("all accepted") : std::to_string(refused) + " not accepted") << "\n";
  return result->accepted() ? k_exit_ok : k_exit_expectations;
}

}  // namespace

int command_trigger(const std::vector<std::string>& args) {
  EventFlags flags;
  std::string target, journal;
  bool insecure = false, whole_call = false;
  std::string recordings_listen, recordings_hold = "0";
  po::options_description options("options");
  options.add_options()("vendor", po::value(&flags.vendor)->value_name("VENDOR")->required(), "vendor")(
      "event", po::value(&flags.event)->value_name("EVENT"), "event name")(
      "target", po::value(&target)->value_name("URL"), "receiver URL (default: a built-in sink)")(
      "call", po::bool_switch(&whole_call), "send every delivery of one call, handshakes included")(
      "journal", po::value(&journal)->value_name("FILE"), "with --call: write the call's journal here")(
      "insecure", po::bool_switch(&insecure), "skip TLS certificate checks")(
      "recordings-listen", po::value(&recordings_listen)->value_name("HOST:PORT"),
      "address of the recording server (default 127.0.0.1, any port)")(
      "recordings-url", po::value(&flags.recordings_url)->value_name("URL"),
      "base URL of recordings written into the body")("recordings-hold", po::value(&recordings_hold)->value_name("S"),
                                                      "keep serving recordings S seconds after the answer (default 0)");
  flags.add_options(options);
  po::positional_options_description positional;
  positional.add("vendor", 1).add("event", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, trigger_help())) return k_exit_ok;
  if (!target.empty() && !util::parse_url(target))
    throw UsageError("--target: expected an http:// or https:// URL, got \"" + target + "\"");
  if (whole_call && !flags.event.empty())
    throw UsageError("--call sends every event of a call: give VENDOR --call, or VENDOR EVENT for one event");
  if (!whole_call && flags.event.empty())
    throw UsageError("missing EVENT: give VENDOR EVENT (callhook vendors VENDOR lists them), or VENDOR --call");
  if (!whole_call && !journal.empty()) throw UsageError("--journal: only with --call");
  if (!flags.recordings_url.empty() && !util::parse_url(flags.recordings_url))
    throw UsageError("--recordings-url: expected an http:// or https:// URL, got \"" + flags.recordings_url + "\"");
  const double hold_s = recordings_hold == "0" ? 0 : parse_positive("--recordings-hold", recordings_hold);
  if (hold_s > 3600) throw UsageError("--recordings-hold: expected 0 to 3600 seconds, got \"" + recordings_hold + "\"");
  if (whole_call && hold_s > 0) throw UsageError("--recordings-hold: only for one event, not with --call");
  const std::optional<ListenAddress> listen =
      recordings_listen.empty() ? std::nullopt
                                : std::optional<ListenAddress>(parse_listen(recordings_listen, "--recordings-listen"));
  if (whole_call) return trigger_call(flags, target, journal, insecure, listen);

  // The recording URLs the body carries answer while the receiver handles
  // it (a receiver that downloads the recording on arrival), and for
  // --recordings-hold after.
  sink::RecordingServer recordings;
  if (!dry_run()) {
    const ListenAddress address = listen.value_or(ListenAddress{});
    try {
      recordings.start(address.host, address.port);
    } catch (const std::exception& e) {
      throw UsageError(std::string("--recordings-listen: ") + e.what());
    }
    if (flags.recordings_url.empty()) flags.recordings_url = recordings.base_url();
  }

  std::unique_ptr<sink::Sink> builtin_sink;
  if (target.empty() && !dry_run()) {
    builtin_sink = std::make_unique<sink::Sink>();
    builtin_sink->start();
    target = builtin_sink->url() + "/webhooks";
  }
  const std::int64_t now_ms = util::SystemClock().unix_ms();
  auto one = make_one_event(flags, target.empty() ? "http://127.0.0.1:9/webhooks" : target, now_ms - now_ms % 1000);
  if (!one) return k_exit_bad_input;
  delivery::HttpRequest request = run::trigger_request(*one, now_ms);
  print_request(request, one->delivery);
  if (dry_run()) return k_exit_ok;
  const run::TriggerOutcome outcome = run::send_and_judge(*one, std::move(request), insecure);
  print_outcome(outcome, one->delivery);
  if (hold_s > 0) {
    std::cout << "serving recordings at " << recordings.base_url() << " for " << hold_s << " s" << std::endl;
    std::this_thread::sleep_for(std::chrono::duration<double>(hold_s));
  }
  return outcome.accepted() ? k_exit_ok : k_exit_expectations;
}

}  // namespace callhook::cli
