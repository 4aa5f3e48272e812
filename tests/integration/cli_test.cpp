// The command line as a first-time user meets it: the real binary, its help,
// its flag errors, and the one-shot commands against a real receiver.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <regex>
#include <sstream>

#include "harness.hpp"
#include "sink/rules.hpp"
#include "sink/sink.hpp"
#include "vendors/vendor.hpp"

using callhook::testing::ProcessOptions;
using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The commands `callhook --help` lists: the first word of each line under "commands:".
std::vector<std::string> listed_commands() {
  const auto r = run_callhook({"--help"});
  REQUIRE(r.exit_code == 0);
  std::vector<std::string> commands;
  std::istringstream lines(r.out.substr(r.out.find("\ncommands:\n") + 1));
  std::string line;
  std::getline(lines, line);  // "commands:"
  while (std::getline(lines, line) && line.starts_with("  ")) {
    const auto first = line.find_first_not_of(' ');
    commands.push_back(line.substr(first, line.find(' ', first) - first));
  }
  return commands;
}

// The flags a command's help lists in its options table ("  --name ARG" or
// "  -q [ --quiet ]").
std::vector<std::string> listed_flags(const std::string& help) {
  std::vector<std::string> flags;
  std::istringstream lines(help);
  std::smatch m;
  for (std::string line; std::getline(lines, line);)
    if (std::regex_search(line, m, std::regex(R"(^  (?:-\w \[ )?(--[a-z][a-z-]*))")) &&
        line.find("alias of") == std::string::npos)  // an alias is named by its flag's line
      flags.push_back(m[1]);
  return flags;
}

ProcessOptions dry() {
  ProcessOptions options;
  options.env = {{"CALLHOOK_DRY_RUN", "1"}};
  return options;
}

}  // namespace

TEST_CASE("every help names its values and shows examples", "[cli]") {
  const auto commands = listed_commands();
  REQUIRE(commands.size() >= 10);
  for (const auto& command : commands) {
    INFO(command);
    const auto r = run_callhook({command, "--help"});
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.out, "usage: callhook " + command));
    CHECK(contains(r.out, "examples:"));
    CHECK_FALSE(std::regex_search(r.out, std::regex(R"(\barg\b)")));
    // `callhook help CMD` is the same text.
    const auto via_help = run_callhook({"help", command});
    CHECK(via_help.exit_code == 0);
    CHECK(via_help.out == r.out);
  }
}

TEST_CASE("the run usage line names every run option", "[cli]") {
  const auto r = run_callhook({"run", "--help"});
  const auto usage = r.out.substr(0, r.out.find("\n\n"));
  const auto flags = listed_flags(r.out);
  REQUIRE(flags.size() >= 16);
  for (const auto& flag : flags) {
    if (flag == "--help" || flag == "--scenario") continue;  // --scenario is the positional SCENARIO
    INFO(flag);
    CHECK(contains(usage, flag));
  }
  CHECK(contains(r.out, "--set '/n=\"123\"'"));  // how values are typed
  CHECK(contains(r.out, "alias of --json"));     // --report, the JSON report's first name
}

TEST_CASE("unknown flags and commands get a did-you-mean, not the whole help", "[cli]") {
  auto r = run_callhook({"run", "scenarios/demo.json", "--targt", "http://127.0.0.1:9/"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "unknown flag --targt (did you mean --target?)"));
  CHECK_FALSE(contains(r.err, "options:"));
  r = run_callhook({"sampel"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "did you mean \"sample\""));
  CHECK_FALSE(contains(r.err, "commands:"));
}

TEST_CASE("number flags name the flag and the expected form", "[cli]") {
  auto r = run_callhook({"run", "scenarios/demo.json", "--seed", "abc"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--seed: expected an integer from 0 to 18446744073709551615, got \"abc\""));
  CHECK_FALSE(contains(r.err, "options:"));
  r = run_callhook({"run", "scenarios/demo.json", "--connections", "0"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--connections: expected an integer from 1 to 1024, got \"0\""));
  // The whole 64-bit range, as scenarios accept it.
  r = run_callhook({"run", "scenarios/demo.json", "--seed", "18446744073709551615"}, dry());
  CHECK(r.exit_code == 0);
  r = run_callhook({"run", "scenarios/demo.json", "--seed", "18446744073709551616"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("- reads a scenario from stdin and writes a report to stdout", "[cli]") {
  TempDir dir;
  ProcessOptions options;
  options.stdin_path = callhook::testing::source_path("scenarios/demo.json");
  auto r = run_callhook({"validate", "-"}, options);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "<stdin>: ok"));
  options.cwd = dir.path("");
  r = run_callhook({"run", "-", "--speed", "max", "--report", "-"}, options);
  REQUIRE(r.exit_code == 0);
  const json report = json::parse(r.out);  // stdout holds the report alone
  CHECK(report.at("totals").at("delivered").get<int>() > 0);
  CHECK(contains(r.err, "accounting:"));  // the summary moved to stderr
  CHECK_FALSE(std::filesystem::exists(dir.path("-")));
}

TEST_CASE("outputs that cannot be written fail with one wording", "[cli]") {
  for (const char* flag : {"--json", "--report", "--journal", "--junit"}) {
    INFO(flag);
    const auto r = run_callhook({"run", "scenarios/demo.json", "--speed", "max", flag, "/nonexistent-dir/out"});
    CHECK(r.exit_code == 2);
    CHECK(contains(r.err, std::string(flag) + ": cannot write /nonexistent-dir/out: No such file or directory"));
  }
}

TEST_CASE("--set is checked like a scenario's overrides; --add adds", "[cli]") {
  auto r = run_callhook({"sample", "voiceflow", "runtime.call.end", "--set", "/data/endReasn=twiml"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "did you mean /data/endReason?"));
  CHECK(contains(r.err, "--add"));
  r = run_callhook({"sample", "voiceflow", "runtime.call.end", "--add", "/data/endReasn=twiml"});
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out).at("data").at("endReasn") == "twiml");
  r = run_callhook({"sample", "voiceflow", "runtime.call.end", "--set", "/data/endReason=123"});
  CHECK(json::parse(r.out).at("data").at("endReason") == 123);
  r = run_callhook({"sample", "voiceflow", "runtime.call.end", "--set", "/data/endReason=\"123\""});
  CHECK(json::parse(r.out).at("data").at("endReason") == "123");

  r = run_callhook({"run", "scenarios/voicebot-basic.json", "--set", "session_strat:/bot_name=XYZ"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "did you mean \"session_start\""));
  r = run_callhook({"run", "scenarios/voicebot-basic.json", "--set", "session_start:/bot_nam=XYZ"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "did you mean /bot_name?"));

  // A good --set reaches the receiver, only on the event named.
  Receiver receiver;
  r = run_callhook({"run", "scenarios/voicebot-basic.json", "--speed", "max", "--target", receiver.url() + "/vb",
                    "--count", "2", "--set", "session_start:/bot_name=XYZ"});
  REQUIRE(r.exit_code != 2);  // 1: this receiver's answers are no VoiceBot handshake
  int changed = 0, kept = 0;
  for (const auto& req : receiver.received()) {
    const auto body = json::parse(req.body);
    (body.at("trigger_reason") == "start" ? changed : kept) += body.at("bot_name") == "XYZ";
  }
  CHECK(changed == 2);
  CHECK(kept == 0);
}

TEST_CASE("--count, --rate and --duration reshape a one-stream scenario", "[cli]") {
  TempDir dir;
  auto r =
      run_callhook({"run", "scenarios/demo.json", "--speed", "max", "--count", "3", "--report", dir.path("r.json")});
  REQUIRE(r.exit_code == 0);
  CHECK(read_json(dir.path("r.json")).at("run").at("calls") == 3);
  r = run_callhook({"run", "scenarios/demo.json", "--speed", "max", "--rate", "2", "--duration", "3", "--report",
                    dir.path("r2.json")});
  REQUIRE(r.exit_code == 0);
  const auto calls = read_json(dir.path("r2.json")).at("run").at("calls").get<int>();
  CHECK(calls >= 5);
  CHECK(calls <= 7);
  const std::string two = dir.write("two.json", R"({"streams": [
      {"vendor": "voiceflow", "calls": {"count": 1}}, {"vendor": "atoms", "calls": {"count": 1}}]})");
  r = run_callhook({"run", two, "--count", "5"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "one stream"));
}

TEST_CASE("validate and run warn about a run longer than an hour", "[cli]") {
  TempDir dir;
  const std::string slow = dir.write("slow.json", R"({"speed": 1, "streams": [
      {"vendor": "voiceflow", "calls": {"count": 7200, "arrival": {"rate_per_s": 1}}}]})");
  auto r = run_callhook({"validate", slow});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "warning: this run takes about 2 h"));
  r = run_callhook({"validate", "scenarios/demo.json"});
  CHECK_FALSE(contains(r.err, "warning"));
  r = run_callhook({"run", slow}, dry());
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "warning: this run takes about"));  // run says it too
}

TEST_CASE("sample --headers signs as the vendor signs", "[cli]") {
  auto r = run_callhook({"sample", "atoms", "call.start", "--headers", "--secret", "whsec_test"});
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.rfind("POST ", 0) == 0);
  CHECK(contains(r.out, "X-Signature: "));
  r = run_callhook({"sample", "voiceflow", "runtime.call.start", "--headers", "--secret", "whsec_dGVzdA=="});
  CHECK(contains(r.out, "svix-signature: v1,"));
  r = run_callhook({"sample", "voiceflow", "runtime.call.start", "--headers"});
  CHECK_FALSE(contains(r.out, "svix-signature"));
}

TEST_CASE("trigger sends one event as a run would and judges the answer", "[cli]") {
  Receiver receiver;
  auto r = run_callhook({"trigger", "voiceflow", "runtime.call.start", "--target", receiver.url() + "/hooks",
                         "--secret", "whsec_dGVzdA=="});
  CHECK(r.exit_code == 0);
  REQUIRE(receiver.count() == 1);
  const auto sent = receiver.received().front();
  CHECK(sent.path == "/hooks");
  CHECK(json::parse(sent.body).at("type") == "runtime.call.start");
  CHECK_FALSE(sent.header("svix-signature").empty());
  CHECK(sent.header("svix-id").rfind("msg_", 0) == 0);  // the official verifiers refuse an empty id
  CHECK(contains(r.out, "> POST " + receiver.url() + "/hooks"));
  CHECK(contains(r.out, "< 200 in "));

  Receiver failing([](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("{}", "application/json");
  });
  r = run_callhook({"trigger", "atoms", "call.end", "--target", failing.url()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "< 500"));
  CHECK(failing.count() == 1);  // one event, no retries

  // A VoiceBot session_start answer is read by the vendor's handshake code.
  Receiver bad_answer([](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"http_code":200,"response":{"data":{"bot_name":42}}})", "application/json");
  });
  r = run_callhook({"trigger", "voicebot", "session_start", "--target", bad_answer.url()});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "finding: "));
  r = run_callhook({"trigger", "voicebot", "session_start"});  // the built-in sink answers well
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "\naccepted (the handshake answer too)\n"));
  // One verdict, said once.
  CHECK(r.out.find("accepted") == r.out.rfind("accepted"));
}

TEST_CASE("trigger serves the recording its body names while the receiver handles it", "[cli]") {
  // A receiver that downloads the recording on arrival, as many do.
  std::mutex mutex;
  int fetched_status = 0;
  std::string fetched_type, url;
  std::size_t fetched_bytes = 0;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const std::string recording = json::parse(req.body).at("data").at("recording_url").get<std::string>();
    // No Catch2 assertions on the server's thread: the facts are checked after.
    std::smatch m;
    int status = 0;
    std::string type;
    std::size_t bytes = 0;
    if (std::regex_match(recording, m, std::regex(R"((http://[^/]+)(/recordings/.+))"))) {
      httplib::Client client(m[1].str());
      if (auto answer = client.Get(m[2].str())) {
        status = answer->status;
        type = answer->get_header_value("Content-Type");
        bytes = answer->body.size();
      }
    }
    std::lock_guard<std::mutex> lock(mutex);
    url = recording;
    fetched_status = status;
    fetched_type = type;
    fetched_bytes = bytes;
    res.set_content("{}", "application/json");
  });
  auto r = run_callhook({"trigger", "voicekit", "call_finalized", "--target", receiver.url() + "/hooks"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::lock_guard<std::mutex> lock(mutex);
  CHECK(url.find("127.0.0.1:8080") == std::string::npos);
  CHECK(fetched_status == 200);
  CHECK(fetched_type.rfind("audio/", 0) == 0);
  CHECK(fetched_bytes > 1000);
  // The size in the name is the size served.
  std::smatch size;
  REQUIRE(std::regex_search(url, size, std::regex(R"(-([0-9]+)\.(ogg|wav)$)")));
  CHECK(fetched_bytes == std::stoull(size[1].str()));

  // --recordings-url writes another base into the body.
  Receiver plain;
  r = run_callhook({"trigger", "voicekit", "call_finalized", "--target", plain.url(), "--recordings-url",
                    "http://callhook.test:9100/recordings"});
  CHECK(r.exit_code == 0);
  REQUIRE(plain.count() == 1);
  CHECK(contains(plain.received().front().body, "http://callhook.test:9100/recordings/"));
  // --recordings-hold keeps serving after the answer and says where.
  r = run_callhook({"trigger", "voicekit", "call_finalized", "--target", plain.url(), "--recordings-hold", "0.2"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "serving recordings at http://127.0.0.1:"));
  CHECK(run_callhook({"trigger", "voicekit", "call_finalized", "--recordings-hold", "soon"}).exit_code == 2);
}

TEST_CASE("sample --headers says where its recording URLs point", "[cli]") {
  const auto r = run_callhook({"sample", "voicekit", "call_finalized", "--headers"});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "http://127.0.0.1:8080/recordings/"));
  CHECK(contains(r.err, "nothing listens"));
  CHECK(contains(r.err, "--recordings-hold"));
}

TEST_CASE("sink rules match VoiceBot events by the names callhook uses", "[cli]") {
  callhook::sink::SinkOptions options;
  options.rules = callhook::sink::parse_rule("event=session_start status=500");
  callhook::sink::Sink sink(options);
  sink.start();
  const auto r = run_callhook({"trigger", "voicebot", "session_start", "--target", sink.url() + "/vb"});
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "< 500"));
}

TEST_CASE("vendors answers in human units, per vendor and as JSON", "[cli]") {
  auto r = run_callhook({"vendors"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "10 h"));
  CHECK_FALSE(contains(r.out, "36000000"));
  CHECK_FALSE(contains(r.out, "(when a secret is set)"));
  CHECK(contains(r.out, "format \"live\""));  // Atoms' two event sets explained
  r = run_callhook({"vendors", "voicebot"});
  REQUIRE(r.exit_code == 0);
  CHECK(contains(r.out, "bot_name"));
  CHECK(contains(r.out, "insights.trigger_interval_sec"));
  r = run_callhook({"vendors", "voicbot"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "did you mean \"voicebot\""));
  r = run_callhook({"vendors", "--json"});
  REQUIRE(r.exit_code == 0);
  const json all = json::parse(r.out);
  REQUIRE(all.size() == callhook::vendors::registry().size());
  for (const auto& v : all) {
    INFO(v.at("name"));
    CHECK_FALSE(v.at("vendor_config").empty());
    CHECK_FALSE(v.at("events").empty());
  }
}

TEST_CASE("replay --only names calls that exist; --target paths are warned about", "[cli]") {
  TempDir dir;
  auto r = run_callhook(
      {"run", "scenarios/demo.json", "--speed", "max", "--count", "2", "--journal", dir.path("run.jsonl")});
  REQUIRE(r.exit_code == 0);
  std::string a_call;
  for (const auto& line : read_jsonl(dir.path("run.jsonl")))
    if (line.value("kind", "") == "attempt") a_call = line.at("call");
  REQUIRE_FALSE(a_call.empty());
  Receiver receiver;
  r = run_callhook({"replay", dir.path("run.jsonl"), "--speed", "max", "--target", receiver.url(), "--only", "CA0123"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "its calls include"));
  CHECK(receiver.count() == 0);
  r = run_callhook(
      {"replay", dir.path("run.jsonl"), "--speed", "max", "--target", receiver.url() + "/other", "--only", a_call});
  CHECK(r.exit_code == 0);
  CHECK(contains(r.err, "warning: --target"));
  CHECK(receiver.count() > 0);
}

TEST_CASE("CALLHOOK_DRY_RUN checks flags and inputs without sending or listening", "[cli]") {
  auto r = run_callhook({"sink", "--listen", "127.0.0.1:1"}, dry());  // a port it could not bind
  CHECK(r.exit_code == 0);
  r = run_callhook({"sink", "--listen", "nonsense:x"}, dry());
  CHECK(r.exit_code == 2);
  r = run_callhook({"replay", "/nonexistent.jsonl"}, dry());
  CHECK(r.exit_code == 2);
}
