// callhook import: captured traffic (sink records, HAR, Svix attempts, JSON
// lines, journals) as a scenario whose script replays it.
#include <filesystem>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "import/import.hpp"
#include "run/bad_input.hpp"
#include "run/output_file.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_import_synopsis =
    "callhook import FILE... [--vendor V] [--out SCENARIO] [--target URL] [--name NAME]\n"
    "                [--map JSON] [--redact [--redact-key KEY]]";

constexpr const char* k_import_description =
    R"(Turns captured requests into a scenario whose "script" replays them exactly: one
raw step per request (its method, path and query, headers worth keeping, body
byte for byte), in the order they were made, each at its time after the first
(at_ms), with the calls and events recognised the way `callhook sink` names
them. Bodies the vendor does not recognise are kept raw and still sent.

FILE is any of (the format is found from the content):
  a `callhook sink --record` file (with or without --forward);
  a HAR 1.2 file (browser devtools, mitmproxy, Charles, proxies): each
    entry's request, at its startedDateTime;
  a Svix-style export of message attempts ({"data": [...]}, an array or JSON
    lines of attempts with "timestamp", "url" and "msg": {"payload", ...});
  other JSON lines, with --map saying where each part is (JSON pointers):
    {"time": "/ts", "body": "/payload", "headers": "/h", "method", "path", "url"};
    "body" is required, a string is sent as it is, other JSON serialized;
  a callhook journal: each attempt that reached the receiver.
Several files are merged by time.

Dropped headers: Host, Content-Length, hop-by-hop headers, X-Forwarded-*,
Via, Forwarded, Accept-Encoding, Authorization, Cookie and signatures
(webhook-*, svix-*, *signature*): a run signs each step again with the
scenario's secret, as `replay --resign` does; webhook-id / svix-id becomes
the step's "id".

--redact replaces phone numbers, emails, names and free text (transcripts,
messages) with synthetic values of the same shape and length; the same
value always maps to the same fake (a keyed hash: --redact-key, default
"callhook-redact"), so the incident's calls still line up.

The scenario is written to --out (default: standard output); its stream's
target is --target (default http://127.0.0.1:3000), each step's path going
after the target's path. Bad input names the file and the line or JSON
pointer; exit 2.)";

constexpr const char* k_import_examples =
    R"(  callhook import examples/incidents/voiceflow-capture.jsonl --out incident.json
  callhook import examples/incidents/voiceflow-incident.har --vendor voiceflow --redact --out incident.json
  callhook import deliveries.jsonl --map '{"time":"/ts","body":"/payload","headers":"/h"}')";

}  // namespace

int command_import(const std::vector<std::string>& args) {
  import::ImportOptions request;
  std::string out_path;
  std::string map_text;
  po::options_description options("options");
  options.add_options()("files", po::value(&request.files)->value_name("FILE")->composing(), "capture files")(
      "vendor", po::value(&request.vendor)->value_name("V"), "the vendor (default: the one whose events match)")(
      "out", po::value(&out_path)->value_name("SCENARIO"), "write the scenario here (default: standard output)")(
      "target", po::value(&request.target)->value_name("URL"), "the stream's target (default http://127.0.0.1:3000)")(
      "name", po::value(&request.name)->value_name("NAME"), "the scenario's name (default: the --out file's stem)")(
      "map", po::value(&map_text)->value_name("JSON"), "where time, headers and body sit in generic JSON lines")(
      "redact", po::bool_switch(&request.redact), "replace personal data with consistent synthetic values")(
      "redact-key", po::value(&request.redact_key)->value_name("KEY"), "the key of --redact's hash");
  po::positional_options_description positional;
  positional.add("files", -1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm,
                 Help{"import", k_import_synopsis, k_import_description, k_import_examples}))
    return k_exit_ok;
  if (request.files.empty()) throw UsageError("give at least one capture FILE");
  if (vm.count("redact-key") && !request.redact) throw UsageError("--redact-key needs --redact");
  if (request.name.empty() && !out_path.empty() && out_path != "-")
    request.name = std::filesystem::path(out_path).stem().string();
  try {
    if (!map_text.empty()) request.map = import::parse_field_map(map_text);
    const run::OutputFile out(out_path.empty() ? "-" : out_path, "--out");
    const import::ImportResult result = import::import_captures(request);
    if (dry_run()) return k_exit_ok;  // the captures read, nothing written
    out.write(result.scenario.dump(2, ' ', false, util::OrderedJson::error_handler_t::replace) + "\n");
    std::cerr << "callhook import: " << result.summary.steps << (result.summary.steps == 1 ? " request" : " requests")
              << " of " << result.summary.calls << (result.summary.calls == 1 ? " call" : " calls") << " ("
              << result.vendor;
    if (result.summary.unrecognised > 0)
      std::cerr << "; " << result.summary.unrecognised << " with an event the vendor does not have, kept raw";
    std::cerr << ")" << (out_path.empty() || out_path == "-" ? "" : " -> " + out_path) << "\n";
  } catch (const import::ImportError& e) {
    std::cerr << "callhook import: " << e.what() << "\n";
    return k_exit_bad_input;
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
  return k_exit_ok;
}

}  // namespace callhook::cli
