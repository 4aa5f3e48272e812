// callhook serve: the HTTP control API, for test suites in any language
// (docs/api.md). --check URL is the container health check.
#include <httplib.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli/cli.hpp"
#include "cli/listen.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "serve/api_server.hpp"
#include "serve/scenario_library.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

const Help k_serve_help{
    "serve",
    "callhook serve [--listen HOST:PORT] [--token T] [--keep N] [--max-runs N] [--max-body BYTES]\n"
    "               [--max-connections N] [--allow-origin ORIGIN]... [--allow-host HOST]...\n"
    "               [--tls-cert FILE --tls-key FILE] [--allow-target HOST|HOST:PORT|CIDR]...\n"
    "               [--max-run-duration S] [--max-run-deliveries N] [--max-run-concurrency N]\n"
    "               [--max-run-connections N] [--scenarios DIR]\n"
    "callhook serve --check [URL]",
    "Serves the control API (docs/api.md): POST /runs starts a run of a scenario, GET /runs/ID\n"
    "follows it, /report, /journal and /events give its results. Listens on 127.0.0.1:8700 by\n"
    "default; any other address needs a token (--token or CALLHOOK_TOKEN), sent by clients as\n"
    "\"Authorization: Bearer TOKEN\". Requests from another Origin or for another Host are refused\n"
    "(403) unless allowed. --check asks a server's /healthz and exits 0 when it answers.\n"
    "Runs, explores, triggers and probes reach any receiver but link-local and cloud metadata\n"
    "addresses; --allow-target limits them to the hosts and networks it names (and may name\n"
    "those). --max-run-* bound one run. A request may name a scenario of --scenarios DIR (its\n"
    "NAME.json files; default: the shipped examples, share/callhook/scenarios beside the binary or\n"
    "/scenarios in the image), listed by GET /scenarios.",
    "  callhook serve\n"
    "  CALLHOOK_TOKEN=change-me callhook serve --listen 0.0.0.0:8700\n"
    "  callhook serve --check http://127.0.0.1:8700/healthz"};

// GET URL (default: the local server's /healthz); 0 when it answers 200.
int check_health(const std::string& url_text) {
  const auto url = util::parse_url(url_text);
  if (!url || url->scheme != "http") throw UsageError("--check: expected an http:// URL, got \"" + url_text + "\"");
  httplib::Client client(url->host, url->port);
  client.set_connection_timeout(2);
  client.set_read_timeout(5);
  httplib::Headers headers;
  if (const char* token = std::getenv("CALLHOOK_TOKEN"); token && *token)
    headers.emplace("Authorization", std::string("Bearer ") + token);
  const auto answer = client.Get(url->target.c_str(), headers);
  if (!answer) {
    std::cerr << "callhook serve --check: " << url_text << ": no answer (" << httplib::to_string(answer.error())
              << ")\n";
    return k_exit_expectations;
  }
  if (answer->status != 200) {
    std::cerr << "callhook serve --check: " << url_text << ": HTTP " << answer->status << "\n";
    return k_exit_expectations;
  }
  return k_exit_ok;
}

}  // namespace

int command_serve(const std::vector<std::string>& args) {
  std::string listen = "127.0.0.1:" + std::to_string(serve::k_default_port), token, check;
  std::string keep = "100", max_runs = "8", max_body = std::to_string(1 << 20), max_connections = "1024";
  std::string max_duration = "3600", max_deliveries = "10000000", max_concurrency = "10000",
              max_run_connections = "256";
  std::vector<std::string> allowed_targets;
  serve::ServeOptions options;
  po::options_description described("options");
  described.add_options()("listen", po::value(&listen)->value_name("HOST:PORT"),
                          "address to listen on (default 127.0.0.1:8700; port 0 = any)")(
      "token", po::value(&token)->value_name("T"), "bearer token clients must send (default: $CALLHOOK_TOKEN)")(
      "keep", po::value(&keep)->value_name("N")->default_value(keep), "finished runs kept, oldest removed first")(
      "max-runs", po::value(&max_runs)->value_name("N")->default_value(max_runs), "runs in flight at once (more: 429)")(
      "max-body", po::value(&max_body)->value_name("BYTES")->default_value(max_body),
      "largest request body in bytes (more: 413)")("max-connections", po::value(&max_connections)->value_name("N"),
                                                   "open connections at once (default 1024; more: 503 at once)")(
      "allow-origin", po::value(&options.allow_origins)->value_name("ORIGIN")->composing(),
      "an Origin allowed to call (repeatable; default none: browsers' cross-site requests get 403)")(
      "allow-host", po::value(&options.allow_hosts)->value_name("HOST")->composing(),
      "a Host name answered beside the listen address and loopback (repeatable)")(
      "tls-cert", po::value(&options.tls_cert)->value_name("FILE"), "PEM certificate chain: serve HTTPS")(
      "tls-key", po::value(&options.tls_key)->value_name("FILE"), "PEM private key of --tls-cert")(
      "allow-target", po::value(&allowed_targets)->value_name("HOST|HOST:PORT|CIDR")->composing(),
      "receivers runs, explores, triggers and probes may reach (repeatable; default: any but metadata)")(
      "max-run-duration", po::value(&max_duration)->value_name("S")->default_value(max_duration),
      "wall seconds a run may take; a request's max_duration_s may ask for less")(
      "max-run-deliveries", po::value(&max_deliveries)->value_name("N")->default_value(max_deliveries),
      "deliveries a run may plan (calls x deliveries a call, estimated; more: 400)")(
      "max-run-concurrency", po::value(&max_concurrency)->value_name("N")->default_value(max_concurrency),
      "calls a run may have live at once (more: 400)")(
      "max-run-connections", po::value(&max_run_connections)->value_name("N")->default_value(max_run_connections),
      "connections a run may open per receiver (more: 400)")(
      "scenarios", po::value(&options.policy.scenarios_dir)->value_name("DIR"),
      "scenarios a request may name (NAME.json files; default: the shipped examples)")(
      "check", po::value(&check)->value_name("URL")->implicit_value(""),
      "ask a server's /healthz and exit 0 when healthy");
  po::positional_options_description positional;
  po::variables_map vm;
  if (parse_args(args, described, positional, vm, k_serve_help)) return k_exit_ok;
  if (vm.count("check"))
    return check_health(check.empty() ? "http://127.0.0.1:" + std::to_string(serve::k_default_port) + "/healthz"
                                      : check);

  const ListenAddress address = parse_listen(listen);
  options.host = address.host;
  options.port = address.port;
  if (token.empty())
    if (const char* env = std::getenv("CALLHOOK_TOKEN")) token = env;
  options.token = token;
  // The name is resolved, as the server will bind it: a name that resolves
  // to 0.0.0.0 reaches beyond this machine as surely as 0.0.0.0 does.
  const std::string no_token =
      "--listen " + listen + " reaches beyond this machine: set a token with --token or CALLHOOK_TOKEN";
  if (options.token.empty() && !serve::resolves_to_loopback(options.host)) throw UsageError(no_token);
  if (options.tls_cert.empty() != options.tls_key.empty()) throw UsageError("--tls-cert and --tls-key go together");
  constexpr std::int64_t k_most = 1'000'000'000'000;
  constexpr std::int64_t k_most_run_s = 31 * 24 * 3600;
  options.max_connections = static_cast<std::size_t>(parse_integer("--max-connections", max_connections, 1, 1 << 20));
  options.keep = static_cast<std::size_t>(parse_integer("--keep", keep, 1, 1'000'000));
  options.max_runs = static_cast<std::size_t>(parse_integer("--max-runs", max_runs, 1, 10'000));
  options.max_body = static_cast<std::size_t>(parse_integer("--max-body", max_body, 1024, std::int64_t{1} << 32));
  serve::RunLimits& limits = options.policy.limits;
  limits.max_duration_s = parse_positive("--max-run-duration", max_duration);
  if (!(limits.max_duration_s <= k_most_run_s))
    throw UsageError("--max-run-duration: expected at most " + std::to_string(k_most_run_s) +
                     " seconds (31 days), got \"" + max_duration + "\"");
  limits.max_deliveries = parse_integer("--max-run-deliveries", max_deliveries, 1, k_most);
  limits.max_concurrency = parse_integer("--max-run-concurrency", max_concurrency, 1, 100'000);
  limits.max_connections = parse_integer("--max-run-connections", max_run_connections, 1, 1024);
  for (const std::string& rule : allowed_targets) {
    try {
      options.policy.targets.allow(rule);
    } catch (const std::invalid_argument& e) {
      throw UsageError(std::string("--allow-target ") + e.what());
    }
  }
  if (!vm.count("scenarios"))
    options.policy.scenarios_dir = serve::default_scenarios_dir();
  else if (!std::filesystem::is_directory(options.policy.scenarios_dir))
    throw UsageError("--scenarios: \"" + options.policy.scenarios_dir + "\" is not a directory");
  if (dry_run()) return k_exit_ok;

  // Signals are blocked before the server threads exist, so they inherit it.
  ShutdownSignals signals;

  serve::ApiServer server(options);
  const auto bound = server.start();
  if (options.token.empty() && !bound.loopback) throw UsageError(no_token + " (it bound " + bound.address + ")");
  std::cout << "callhook serve: listening on " << (options.tls_cert.empty() ? "http://" : "https://")
            << (options.host.find(':') != std::string::npos ? "[" + options.host + "]" : options.host) << ":"
            << bound.port << (options.token.empty() ? "" : " (bearer token required)") << std::endl;
  const int received = signals.wait();
  std::cout << "callhook serve: stopping (" << (received == SIGINT ? "SIGINT" : "SIGTERM")
            << "); cancelling runs in flight" << std::endl;
  server.stop();
  return k_exit_ok;
}

}  // namespace callhook::cli
