// callhook sink: the built-in receiver as a standalone process.
#include <pthread.h>
#include <signal.h>

#include <iostream>
#include <stdexcept>

#include "cli/cli.hpp"
#include "cli/listen.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "sink/sink.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_sink_synopsis = R"(callhook sink [--listen HOST:PORT] [--verbose | --quiet] [--record FILE]
              [--respond RULE]... [--rules FILE] [--threads N] [--forward URL [--forward-timeout MS]])";

constexpr const char* k_sink_examples = R"(  callhook sink --listen 127.0.0.1:3000
  callhook sink --listen 127.0.0.1:3000 --respond 'event=session_start body=@answer.json'
  callhook sink --listen :3000 --record hooks.jsonl --respond 'event=runtime.call.end status=500,500,200'
  callhook sink --listen :4000 --forward http://127.0.0.1:3000 --record captured.jsonl)";

constexpr const char* k_sink_description =
    R"(A webhook receiver: accepts any method and path, prints one line per webhook
(time, method, path, event, call id, delivery id, status, body size; "dup" marks a
delivery id seen before), answers 200 {"ok":true} unless a rule says otherwise,
and runs until SIGINT or SIGTERM. Vendor handshakes get the minimal answer their
vendor documents, so a run against the sink has no findings: Exotel VoiceBot's
{"http_code":200,"response":{"data":{}}} envelope, VoiceKit's call_started_hook
an empty {} (no overrides). The first line
it prints is "callhook sink listening on http://HOST:PORT"; with port 0 the
port is the one the system chose. It also serves recordings: GET
/recordings/<name>-<bytes>.<ogg|wav> answers audio of exactly <bytes> bytes.

The event name is the one callhook vendors, sample and scenarios use: the JSON
body's "type", "event" or "Event", else the form or query parameter "Event";
Exotel VoiceBot names no event, so its trigger_reason is mapped to the event
(start: session_start, turn_complete/turn_progress: transcript_events, timer:
insights_events, end: session_end).

RULE: KEY=VALUE items separated by spaces; several rules may be separated by
';'. Quote a value with ' or " to hold spaces. The first matching rule answers;
--respond rules are tried in the order given, before those of --rules.
  path=/hooks            exact path; path=/hooks/* any path under /hooks/
  event=runtime.call.end exact event; event=runtime.call.* a prefix
  status=500,500,200     the n-th matching request gets the n-th status; the
                         last repeats (default 200)
  per=delivery           count status sequences per delivery id (webhook-id /
                         svix-id, else the body) instead of per rule: with
                         status=500,500,200 every delivery fails twice, then
                         succeeds (per=rule, the default, counts all matches)
  delay_ms=50            wait before answering
  body=TEXT | body=@FILE answer body (default {"ok":true}, {"ok":false} for
                         a status of 400 and above)
  content_type=TYPE      of the body (default application/json)
  header=NAME:VALUE      extra answer header, repeatable
examples:
  --respond 'event=runtime.call.end status=500,500,200 delay_ms=50'
  --respond 'status=500,500,200 per=delivery'
  --respond 'path=/voicebot/start body=@answer.json'
  --respond 'status=429 header=Retry-After:2'

--rules FILE: a JSON array of rule objects with keys "path", "event",
"status" (integer or array), "per" ("rule" or "delivery"), "delay_ms", "body" (a string is sent as is, other
JSON is serialized), "content_type", "headers" (object).

--record FILE writes one JSON object per webhook and line: seq, received_at,
method, path, query, headers, body, event, call_id, delivery_id, duplicate,
status (and "forward" with --forward).

--forward URL sends every request on to URL (http://) as a proxy would: the
request's path after URL's path, its query, its headers but the hop-by-hop
ones (Connection, Keep-Alive, Transfer-Encoding, Host, Content-Length, ...),
its body unchanged; the receiver's status, headers and body go back to the
sender. Rules do not apply. When the receiver cannot be asked (refused,
timed out after --forward-timeout, default 30000 ms) the sender gets 502.
With --record each line also holds "forward": {"url", "status", "latency_ms",
"error" (when it failed), "headers", "body"}. `callhook import` turns such a
file into a scenario.)";

constexpr int k_max_threads = 4096;

}  // namespace

int command_sink(const std::vector<std::string>& args) {
  std::string listen = "127.0.0.1:8080";
  std::string record_path;
  std::vector<std::string> responds;
  std::string rules_path;
  std::string threads_text = "64";
  std::string forward_url;
  std::string forward_timeout_text = "30000";
  bool verbose = false;
  bool quiet = false;
  po::options_description options("options");
  options.add_options()("listen", po::value(&listen)->value_name("HOST:PORT"),
                        "address to listen on (default 127.0.0.1:8080; port 0 = any)")(
      "verbose,v", po::bool_switch(&verbose), "also print each webhook's headers and body")(
      "quiet,q", po::bool_switch(&quiet), "print only the listening line")(
      "record", po::value(&record_path)->value_name("FILE"), "write every webhook to FILE as JSON lines")(
      "respond", po::value(&responds)->value_name("RULE")->composing(),
      "answer matching requests as RULE says (repeatable)")("rules", po::value(&rules_path)->value_name("FILE"),
                                                            "rules from a JSON file")(
      "threads", po::value(&threads_text)->value_name("N"),
      "worker threads: keep-alive connections served at once (default 64)")(
      "forward", po::value(&forward_url)->value_name("URL"),
      "send every request on to URL and answer with its answer (capture)")(
      "forward-timeout", po::value(&forward_timeout_text)->value_name("MS"),
      "how long the forward may take before the sender gets 502 (default 30000)");
  po::variables_map vm;
  if (parse_args(args, options, {}, vm, Help{"sink", k_sink_synopsis, k_sink_description, k_sink_examples}))
    return k_exit_ok;

  if (verbose && quiet) throw UsageError("--verbose and --quiet cannot be used together");
  const auto threads = parse_integer("--threads", threads_text, 1, k_max_threads);
  const ListenAddress address = parse_listen(listen);
  const auto forward_timeout = parse_integer("--forward-timeout", forward_timeout_text, 1, 3'600'000);
  if (!forward_url.empty()) {
    if (!responds.empty() || !rules_path.empty())
      throw UsageError("--forward answers with the receiver's answers, so it takes no --respond or --rules");
    try {
      sink::Forwarder check(forward_url, forward_timeout);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--forward: ") + e.what());
    }
  }

  sink::SinkOptions sink_options;
  sink_options.host = address.host;
  sink_options.port = address.port;
  sink_options.print = !quiet;
  sink_options.verbose = verbose;
  sink_options.record_path = record_path;
  sink_options.threads = static_cast<std::size_t>(threads);
  sink_options.forward_url = forward_url;
  sink_options.forward_timeout_ms = forward_timeout;
  sink_options.serve_recordings = forward_url.empty();
  for (const auto& text : responds) {
    try {
      auto rules = sink::parse_rule(text);
      sink_options.rules.insert(sink_options.rules.end(), rules.begin(), rules.end());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--respond: ") + e.what());
    }
  }
  if (!rules_path.empty()) {
    try {
      auto rules = sink::parse_rules_file(rules_path);
      sink_options.rules.insert(sink_options.rules.end(), rules.begin(), rules.end());
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--rules: ") + e.what());
    }
  }

  if (dry_run()) return k_exit_ok;
  // Signals are blocked before the server threads exist, so they inherit it.
  ShutdownSignals signals;
  sink::Sink sink(std::move(sink_options));
  sink.start();
  std::cout << "callhook sink listening on " << sink.url() << std::endl;
  if (!forward_url.empty()) std::cerr << "callhook sink: forwarding to " << forward_url << std::endl;
  const int signal = signals.wait();
  sink.stop();
  std::cerr << "callhook sink: " << (signal == SIGINT ? "interrupted" : "terminated") << " after " << sink.received()
            << (sink.received() == 1 ? " webhook" : " webhooks") << "\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
