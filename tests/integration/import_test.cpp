// Reproducing a production incident: `sink --forward` captures a sender's
// requests transparently, and `callhook import` turns a capture (sink
// record, HAR, JSON lines with --map, a journal) into a scenario that,
// run against a real receiver, sends the same requests in the same order,
// byte for byte; explore searches around an imported call.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <httplib.h>

#include "harness.hpp"
#include "sink/sink.hpp"

using callhook::testing::free_port;
using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::read_text;
using callhook::testing::Received;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::source_path;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

const std::string k_har = "examples/incidents/voiceflow-incident.har";
const std::string k_record = "examples/incidents/voicebot-capture.jsonl";

// A request as the receiver should see it: path with query, and body.
struct Expected {
  std::string target;
  std::string body;
};

std::string target_of(const Received& r) { return r.path + (r.query.empty() ? "" : "?" + r.query); }

// Imports `args` to `out`, checks it validates, runs it at max speed
// against a fresh receiver and returns what the receiver got.
std::vector<Received> import_and_run(const std::vector<std::string>& args, const std::string& out) {
  std::vector<std::string> import_args = {"import"};
  import_args.insert(import_args.end(), args.begin(), args.end());
  import_args.insert(import_args.end(), {"--out", out});
  const auto imported = run_callhook(import_args);
  INFO(imported.err);
  REQUIRE(imported.exit_code == 0);
  const auto valid = run_callhook({"validate", out});
  INFO(valid.out << valid.err);
  REQUIRE(valid.exit_code == 0);
  Receiver receiver;
  const auto ran = run_callhook({"run", out, "--target", receiver.url(), "--speed", "max", "--progress", "never"});
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  return receiver.received();
}

void require_same(const std::vector<Received>& got, const std::vector<Expected>& expected) {
  REQUIRE(got.size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("request " << i);
    CHECK(target_of(got[i]) == expected[i].target);
    CHECK(got[i].body == expected[i].body);  // byte for byte
  }
}

// The HAR's requests in the order they were made (startedDateTime).
std::vector<Expected> har_requests(const json& har) {
  std::vector<std::pair<std::string, Expected>> timed;
  for (const auto& entry : har["log"]["entries"]) {
    const std::string url = entry["request"]["url"];
    const auto path_start = url.find('/', url.find("//") + 2);
    timed.push_back({entry["startedDateTime"], {url.substr(path_start), entry["request"]["postData"]["text"]}});
  }
  std::stable_sort(timed.begin(), timed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Expected> out;
  for (auto& [time, e] : timed) out.push_back(std::move(e));
  return out;
}

}  // namespace

TEST_CASE("a HAR imports to a scenario that sends its requests in the order they were made, byte for byte",
          "[import]") {
  TempDir dir;
  json har = read_json(source_path(k_har));
  const std::vector<Expected> expected = har_requests(har);
  REQUIRE(expected.size() == 5);
  // Entries out of file order: the import orders them by startedDateTime.
  auto& entries = har["log"]["entries"];
  std::reverse(entries.begin(), entries.end());
  const std::string shuffled = dir.write("shuffled.har", har.dump(2));

  const auto got = import_and_run({shuffled}, dir.path("incident.json"));
  require_same(got, expected);
  // The sender's own headers stay; the proxy's and the signature do not.
  CHECK(got[0].header("User-Agent") == "Svix-Webhooks/1.38.0");
  CHECK(got[0].header("X-Forwarded-For").empty());
  CHECK(got[0].header("svix-signature").empty());  // unsigned: the scenario has no secret

  const json scenario = read_json(dir.path("incident.json"));
  CHECK(scenario["streams"][0]["vendor"] == "voiceflow");
  CHECK(scenario["script"][1]["event"] == "runtime.call.end");
  CHECK(scenario["script"][1]["at_ms"] == 1480);
  // The retried end keeps the delivery id of the first.
  CHECK(scenario["script"][3]["id"] == scenario["script"][1]["id"]);
}

TEST_CASE("a signed import signs each step again with the scenario's secret and the recorded id", "[import]") {
  TempDir dir;
  const auto imported = run_callhook({"import", k_har, "--out", dir.path("incident.json")});
  REQUIRE(imported.exit_code == 0);
  json scenario = read_json(dir.path("incident.json"));
  scenario["streams"][0]["delivery"] = {{"signing", {{"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}};
  const std::string signed_path = dir.write("signed.json", scenario.dump());
  Receiver receiver;
  const auto ran =
      run_callhook({"run", signed_path, "--target", receiver.url(), "--speed", "max", "--progress", "never"});
  REQUIRE(ran.exit_code == 0);
  const auto got = receiver.received();
  REQUIRE(got.size() == 5);
  CHECK(got[1].header("svix-id") == scenario["script"][1]["id"]);
  CHECK(got[3].header("svix-id") == got[1].header("svix-id"));
  CHECK(got[1].header("svix-signature").starts_with("v1,"));
  CHECK(got[1].header("svix-signature") != "v1,Rm9yZ2VkIHNpZ25hdHVyZSBmb3IgdGhlIGV4YW1wbGU=");
}

TEST_CASE("the sample incidents' scenarios are what import makes of them", "[import]") {
  TempDir dir;
  for (const auto& [capture, scenario] :
       std::vector<std::pair<std::string, std::string>>{{k_har, "examples/incidents/voiceflow-incident.json"},
                                                        {k_record, "examples/incidents/voicebot-capture.json"}}) {
    INFO(capture);
    const std::string out = dir.path(std::filesystem::path(scenario).filename().string());
    const auto imported = run_callhook({"import", capture, "--redact", "--out", out});
    REQUIRE(imported.exit_code == 0);
    CHECK(read_text(out) == read_text(source_path(scenario)));
  }
}

TEST_CASE("--redact replaces personal data consistently, keeping lengths, and the run sends the redacted bytes",
          "[import]") {
  TempDir dir;
  const auto got = import_and_run({k_record, "--redact"}, dir.path("redacted.json"));
  const auto records = read_jsonl(source_path(k_record));
  REQUIRE(got.size() == records.size());
  const json scenario = read_json(dir.path("redacted.json"));
  std::set<std::string> callers;
  for (std::size_t i = 0; i < got.size(); ++i) {
    INFO("request " << i);
    const std::string original = records[i]["body"];
    CHECK(got[i].body == scenario["script"][i]["body"]);  // the run sends what the scenario holds
    CHECK(got[i].body.size() == original.size());
    CHECK(got[i].body != original);
    const json body = json::parse(got[i].body);  // still JSON
    const json before = json::parse(original);
    CHECK(body["session_id"] == before["session_id"]);  // ids are not personal
    CHECK(body["contact_uri"] != before["contact_uri"]);
    CHECK(body["contact_uri"].get<std::string>().size() == before["contact_uri"].get<std::string>().size());
    callers.insert(body["contact_uri"].get<std::string>());
  }
  CHECK(callers.size() == 1);  // the same number became the same fake each time
  const std::string transcript = got[3].body;
  CHECK(transcript.find("Priya") == std::string::npos);
  CHECK(transcript.find("98450") == std::string::npos);
}

TEST_CASE("sink --forward is transparent: the receiver sees what was sent, the sender gets the receiver's answer",
          "[import][sink]") {
  TempDir dir;
  Receiver target([](const httplib::Request& req, httplib::Response& res) {
    res.status = req.body.empty() ? 204 : 201;
    res.set_header("X-Answer", "from-target");
    res.set_content("{\"seen\":" + std::to_string(req.body.size()) + "}", "application/json; charset=utf-8");
  });
  callhook::sink::SinkOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.print = false;
  options.record_path = dir.path("capture.jsonl");
  options.forward_url = target.url() + "/base";
  std::ostringstream quiet;
  options.out = &quiet;
  callhook::sink::Sink sink(options);
  const int port = sink.start();

  struct Sent {
    std::string path;
    httplib::Headers headers;
    std::string body;
    std::string type;
  };
  std::string binary;
  for (int i = 0; i < 256; ++i) binary += static_cast<char>(i);
  const std::vector<Sent> sent = {
      {"/hooks/voiceflow?x=1&y=%2B61",
       {{"X-Custom", "one"}, {"svix-id", "msg_1"}},
       R"({"type":"runtime.call.start"})",
       "application/json"},
      {"/hooks/a%20b", {{"X-Custom", "two"}}, binary, "application/octet-stream"},
      {"/hooks/form", {}, "From=%2B61412345678&CallStatus=ringing", "application/x-www-form-urlencoded"},
  };
  httplib::Client client("127.0.0.1", port);
  for (const Sent& s : sent) {
    const auto res = client.Post(s.path, s.headers, s.body, s.type);
    REQUIRE(res);
    CHECK(res->status == 201);
    CHECK(res->get_header_value("X-Answer") == "from-target");
    CHECK(res->get_header_value("Content-Type") == "application/json; charset=utf-8");
    CHECK(res->body == "{\"seen\":" + std::to_string(s.body.size()) + "}");
  }
  sink.stop();

  const auto seen = target.received();
  REQUIRE(seen.size() == sent.size());
  CHECK(seen[0].path == "/base/hooks/voiceflow");
  CHECK(seen[0].query == "x=1&y=%2B61");
  CHECK(seen[0].header("X-Custom") == "one");
  CHECK(seen[0].header("svix-id") == "msg_1");
  CHECK(seen[1].path == "/base/hooks/a b");
  for (std::size_t i = 0; i < sent.size(); ++i) {
    INFO("request " << i);
    CHECK(seen[i].method == "POST");
    CHECK(seen[i].body == sent[i].body);
    CHECK(seen[i].header("Content-Type") == sent[i].type);
  }

  // The record holds the forward's answer and latency.
  const auto records = read_jsonl(dir.path("capture.jsonl"));
  REQUIRE(records.size() == sent.size());
  CHECK(records[0]["forward"]["status"] == 201);
  CHECK(records[0]["forward"]["latency_ms"].is_number_integer());
  CHECK(records[0]["forward"]["body"] == "{\"seen\":29}");
  CHECK(records[0]["forward"]["headers"]["X-Answer"] == "from-target");

  // And the record imports to a scenario that sends the same bytes again
  // (the binary body through body_base64), in the same order.
  const auto got = import_and_run({dir.path("capture.jsonl")}, dir.path("captured.json"));
  require_same(
      got,
      {{"/hooks/voiceflow?x=1&y=%2B61", sent[0].body}, {"/hooks/a b", sent[1].body}, {"/hooks/form", sent[2].body}});
  CHECK(got[0].header("X-Custom") == "one");
  CHECK(got[1].header("Content-Type") == "application/octet-stream");
}

TEST_CASE("sink --forward answers 502 naming the failure when the receiver cannot be reached", "[import][sink]") {
  callhook::sink::SinkOptions options;
  options.host = "127.0.0.1";
  options.port = 0;
  options.print = false;
  options.forward_url = "http://127.0.0.1:" + std::to_string(free_port());
  options.forward_timeout_ms = 2000;
  std::ostringstream quiet;
  options.out = &quiet;
  callhook::sink::Sink sink(options);
  httplib::Client client("127.0.0.1", sink.start());
  const auto res = client.Post("/hooks", "{}", "application/json");
  REQUIRE(res);
  CHECK(res->status == 502);
  CHECK(res->body.find("forward failed") != std::string::npos);
}

TEST_CASE("generic JSON lines import with --map and replay in time order", "[import]") {
  TempDir dir;
  const std::vector<std::string> lines = {
      R"({"ts":"2025-07-16T11:41:00.250Z","req":{"url":"https://api.example.com/hooks/atoms?v=2","headers":{"Content-Type":"application/json","X-Trace":"b"},"payload":"{\"type\":\"call.end\",\"callId\":\"c-1\"}"}})",
      R"({"ts":"2025-07-16T11:40:59.000Z","req":{"url":"https://api.example.com/hooks/atoms?v=2","headers":{"Content-Type":"application/json","X-Trace":"a"},"payload":"{\"type\":\"call.start\",\"callId\":\"c-1\"}"}})",
      R"({"ts":1752666061,"req":{"url":"https://api.example.com/hooks/atoms","payload":{"type":"analytics.completed","callId":"c-1","n":[1,2]}}})",
  };
  std::string text;
  for (const auto& line : lines) text += line + "\n";
  const std::string path = dir.write("deliveries.jsonl", text);
  const auto got = import_and_run({path, "--vendor", "atoms", "--map",
                                   R"({"time":"/ts","url":"/req/url","headers":"/req/headers","body":"/req/payload"})"},
                                  dir.path("lines.json"));
  require_same(got, {{"/hooks/atoms?v=2", R"({"type":"call.start","callId":"c-1"})"},
                     {"/hooks/atoms?v=2", R"({"type":"call.end","callId":"c-1"})"},
                     {"/hooks/atoms", R"({"type":"analytics.completed","callId":"c-1","n":[1,2]})"}});
  CHECK(got[0].header("X-Trace") == "a");
  CHECK(got[2].header("Content-Type") == "application/json");
}

TEST_CASE("a journal imports to an editable script that sends the run's requests again", "[import]") {
  TempDir dir;
  Receiver first;
  const auto ran = run_callhook({"run", "scenarios/bug-end-before-start.json", "--target", first.url() + "/hooks",
                                 "--journal", dir.path("run.jsonl"), "--progress", "never"});
  REQUIRE(ran.exit_code == 0);
  std::vector<Expected> expected;
  for (const auto& r : first.received()) expected.push_back({target_of(r), r.body});
  REQUIRE(expected.size() == 5);

  const auto got = import_and_run({dir.path("run.jsonl")}, dir.path("from-journal.json"));
  require_same(got, expected);
  const json scenario = read_json(dir.path("from-journal.json"));
  CHECK(scenario["script"][1]["event"] == "runtime.call.end");
}

TEST_CASE("explore searches the orders and duplicates around an imported incident", "[import][explore]") {
  TempDir dir;
  const auto imported = run_callhook({"import", k_har, "--out", dir.path("incident.json")});
  REQUIRE(imported.exit_code == 0);
  // A receiver that breaks on a call's end before its start (per callSid);
  // POST /reset forgets every call.
  std::mutex mutex;
  std::set<std::string> started;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    if (req.path == "/reset") {
      started.clear();
      return;
    }
    const json body = json::parse(req.body);
    const std::string type = body["type"];
    const std::string call = body["data"].value("/metadata/callSid"_json_pointer, std::string());
    if (type == "runtime.call.start") started.insert(call);
    if (type == "runtime.call.end" && !started.count(call)) {
      res.status = 500;
      res.set_content("{\"error\":\"end before start\"}", "application/json");
      return;
    }
    res.set_content("{\"ok\":true}", "application/json");
  });
  const auto explored = run_callhook({"explore", dir.path("incident.json"), "--target", receiver.url(), "--reset",
                                      receiver.url() + "/reset", "--out", dir.path("found"), "--budget", "40"});
  INFO(explored.out << explored.err);
  CHECK(explored.exit_code == 1);  // the recorded order itself breaks this receiver
  const json summary = read_json(dir.path("found/explore.json"));
  CHECK(summary["failures"].size() >= 1);
  // Every request explore sent is one of the recorded ones.
  const json scenario = read_json(dir.path("incident.json"));
  std::set<std::string> recorded;
  for (const auto& step : scenario["script"]) recorded.insert(step["body"].get<std::string>());
  std::size_t sent = 0;
  for (const auto& r : receiver.received())
    if (r.path != "/reset") {
      ++sent;
      CHECK(recorded.count(r.body) == 1);
    }
  CHECK(sent > 5);
}

TEST_CASE("bad capture files get a message naming the file and the JSON pointer, exit 2", "[import]") {
  TempDir dir;
  json har = read_json(source_path(k_har));
  har["log"]["entries"][2]["request"].erase("url");
  const std::string bad_har = dir.write("bad.har", har.dump());
  auto r = run_callhook({"import", bad_har});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.har: /log/entries/2/request/url") != std::string::npos);

  const std::string bad_lines = dir.write("bad.jsonl", "{\"ts\":1,\"body\":\"a\"}\n{\"ts\":2}\n");
  r = run_callhook({"import", bad_lines, "--map", R"({"time":"/ts","body":"/body"})"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("bad.jsonl:2: /body") != std::string::npos);

  const std::string unknown = dir.write("unknown.jsonl", "{\"a\":1}\n");
  r = run_callhook({"import", unknown});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown.jsonl:1: cannot tell the format") != std::string::npos);

  const std::string broken = dir.write("broken.jsonl", "{\"seq\":1,");
  r = run_callhook({"import", broken});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("broken.jsonl") != std::string::npos);

  r = run_callhook({"import", dir.path("missing.har")});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("missing.har: cannot read the file") != std::string::npos);

  r = run_callhook({"import", k_har, "--vendor", "voiceflo"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("did you mean \"voiceflow\"") != std::string::npos);
}
