// The POST /runs body, the journal tail behind /journal and /events, and
// which addresses need a token.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>

#include "serve/journal_tail.hpp"
#include "serve/run_request.hpp"
#include "serve/scenario_library.hpp"
#include "serve/serve_options.hpp"
#include "serve/trigger.hpp"

using namespace callhook;

namespace {
const serve::RunPolicy k_policy;
}  // namespace

TEST_CASE("a run request maps onto the run options", "[serve]") {
  util::Problems problems;
  const auto options = serve::parse_run_request(
      R"({"scenario": {"streams": []}, "target": "http://127.0.0.1:9/x", "seed": 5, "speed": "max",
          "concurrency": 3, "connections": 2, "threads": 2, "set": {"call_ended:/data/a": 1, "b": "x"},
          "insecure": true})",
      k_policy, problems);
  INFO(problems.format("request"));
  REQUIRE(options);
  CHECK(options->scenario_text == R"({"streams":[]})");
  CHECK(options->target == "http://127.0.0.1:9/x");
  CHECK(options->seed == 5u);
  CHECK(options->speed == 0.0);
  CHECK(options->concurrency == 3);
  CHECK(options->connections == 2u);
  CHECK(options->threads == 2u);
  CHECK(options->insecure);
  REQUIRE(options->sets.size() == 2);
  CHECK(options->sets[0].event == "");
  CHECK(options->sets[0].pointer == "/b");
  CHECK(options->sets[1].event == "call_ended");
  CHECK(options->sets[1].pointer == "/data/a");
  CHECK(options->sets[1].value == 1);
}

TEST_CASE("every problem of a run request, with its pointer", "[serve]") {
  util::Problems problems;
  const auto options = serve::parse_run_request(
      R"({"seed": -1, "speed": "fast", "target": "ftp://x", "concurrency": 0, "extra": 1})", k_policy, problems);
  CHECK_FALSE(options);
  std::vector<std::string> pointers;
  for (const auto& p : problems.list()) pointers.push_back(p.pointer);
  std::sort(pointers.begin(), pointers.end());
  CHECK(pointers == std::vector<std::string>{"/concurrency", "/extra", "/scenario", "/seed", "/speed", "/target"});
}

TEST_CASE("ordering is set on every stream of the scenario", "[serve]") {
  util::Problems problems;
  const auto options = serve::parse_run_request(
      R"({"scenario": "// text\n{\"streams\": [{\"vendor\": \"atoms\"}, {\"delivery\": {\"timeout_ms\": 5}}]}",
          "ordering": "strict"})",
      k_policy, problems);
  REQUIRE(options);
  const auto doc = util::Json::parse(*options->scenario_text);
  CHECK(doc["streams"][0]["delivery"]["ordering"] == "strict");
  CHECK(doc["streams"][1]["delivery"]["ordering"] == "strict");
  CHECK(doc["streams"][1]["delivery"]["timeout_ms"] == 5);
}

TEST_CASE("a body that is not a JSON object is one problem at the root", "[serve]") {
  for (const char* body : {"", "[1]", "{nope"}) {
    util::Problems problems;
    CHECK_FALSE(serve::parse_run_request(body, k_policy, problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].pointer == "");
  }
}

TEST_CASE("the journal tail gives complete lines only, as they are written", "[serve]") {
  const std::string path = "unit_serve_tail.jsonl";
  std::vector<std::string> lines;
  serve::JournalTail tail(path);
  std::remove(path.c_str());
  CHECK(tail.read_lines(lines) == 0);  // not there yet
  std::ofstream out(path);
  out << "{\"kind\":\"run\"}\n{\"kind\":\"att" << std::flush;
  CHECK(tail.read_lines(lines) == 1);
  out << "empt\",\"a\":1}\n{\"kind\":\"final\"}\n" << std::flush;
  CHECK(tail.read_lines(lines) == 2);
  CHECK(tail.read_lines(lines) == 0);
  REQUIRE(lines.size() == 3);
  CHECK(lines[1] == "{\"kind\":\"attempt\",\"a\":1}");
  CHECK(serve::event_name_for_line(lines[0]) == "");
  CHECK(serve::event_name_for_line(lines[1]) == "attempt");
  CHECK(serve::event_name_for_line(lines[2]) == "delivery");
  CHECK(serve::sse_event("end", "{}") == "event: end\ndata: {}\n\n");
  std::remove(path.c_str());
}

TEST_CASE("a run request's set and add are the flags' field sets, problems at their members", "[serve]") {
  util::Problems problems;
  const auto options = serve::parse_run_request(
      R"({"scenario": {"streams": []}, "set": {"/a": 1}, "add": {"start:/b": 2}})", k_policy, problems);
  REQUIRE(options);
  REQUIRE(options->sets.size() == 2);
  CHECK_FALSE(options->sets[0].add);
  CHECK(options->sets[1].add);
  CHECK(options->sets[1].event == "start");
  CHECK(options->sets[1].origin == "/add/start:~1b");
  util::Problems bad;
  CHECK_FALSE(serve::parse_run_request(R"({"scenario": {"streams": []}, "set": {"/a~2": 1}})", k_policy, bad));
  REQUIRE(bad.size() == 1);
  CHECK(bad.list()[0].pointer == "/set/~1a~02");
}

TEST_CASE("a trigger's bad pointer or unknown field is a problem, before anything is sent", "[serve]") {
  util::Json body = {{"vendor", "voiceflow"}, {"event", "runtime.call.start"}, {"target", "http://127.0.0.1:9/x"}};
  for (const auto& [key, pointer] :
       std::vector<std::pair<std::string, std::string>>{{"/a~2", "/set/~1a~02"}, {"/data/nope", "/set/~1data~1nope"}}) {
    INFO(key);
    body["set"] = {{key, 1}};
    util::Problems problems;
    CHECK_FALSE(serve::send_trigger(body, k_policy.targets, problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].pointer == pointer);
  }
}

TEST_CASE("a run request's shard, start_at and recordings are the flags'", "[serve]") {
  util::Problems problems;
  auto options = serve::parse_run_request(
      R"({"scenario": {"streams": []}, "shard": "1/3", "start_at": "2026-01-01T12:00:00Z",
          "recordings_url": "http://rec.example/r//", "recordings_listen": "127.0.0.1:0"})",
      k_policy, problems);
  INFO(problems.format("request"));
  REQUIRE(options);
  CHECK(options->shard.index == 1);
  CHECK(options->shard.count == 3);
  CHECK(options->start_at_ms == 1'767'268'800'000);
  CHECK(options->recordings_url == "http://rec.example/r");
  CHECK(options->recordings_host == "127.0.0.1");
  options = serve::parse_run_request(
      R"({"scenario": {}, "shard": "3/3", "start_at": "+99999999", "count": 0, "rate": 0, "duration": "x",
          "recordings_url": "x", "recordings_listen": "192.0.2.1:80"})",
      k_policy, problems);
  CHECK_FALSE(options);
  std::vector<std::string> pointers;
  for (const auto& p : problems.list()) pointers.push_back(p.pointer);
  std::sort(pointers.begin(), pointers.end());
  CHECK(pointers == std::vector<std::string>{"/count", "/duration", "/rate", "/recordings_listen", "/recordings_url",
                                             "/shard", "/start_at"});
}

TEST_CASE("a scenario named in a run request comes from the library, and only from it", "[serve]") {
  const std::string dir = std::string(CALLHOOK_SOURCE_DIR) + "/scenarios";
  serve::RunPolicy policy;
  policy.scenarios_dir = dir;
  util::Problems problems;
  const auto options = serve::parse_run_request(R"({"scenario": "voicebot-basic"})", policy, problems);
  REQUIRE(options);
  CHECK(options->scenario_text == serve::read_library_scenario(dir, "voicebot-basic"));
  for (const char* name : {"../scenarios/demo", "demo.json", "Demo", "no-such-one"}) {
    util::Problems refused;
    CHECK_FALSE(serve::parse_run_request(std::string(R"({"scenario": ")") + name + "\"}", policy, refused));
    REQUIRE(refused.list().size() == 1);
    CHECK(refused.list()[0].pointer == "/scenario");
  }
  CHECK(serve::is_scenario_name("voicebot-basic"));
  CHECK_FALSE(serve::is_scenario_name("../x"));
  CHECK_FALSE(serve::read_library_scenario(dir, "../scenarios/demo"));
  const auto names = serve::scenario_names(dir);
  CHECK(std::find(names.begin(), names.end(), "demo") != names.end());
  CHECK(serve::scenario_names("").empty());
  CHECK(serve::scenario_description("// One.\n// Two.\n{}") == "One. Two.");
}

TEST_CASE("POST /reports/merge names each run once", "[serve]") {
  util::Problems problems;
  CHECK(serve::parse_run_ids(R"({"runs": ["a", "b"]})", problems) == std::vector<std::string>{"a", "b"});
  for (const char* bad : {R"({"runs": []})", R"({"runs": ["a", "a"]})", R"({"runs": "a"})", R"({})"}) {
    util::Problems refused;
    CHECK_FALSE(serve::parse_run_ids(bad, refused));
    CHECK_FALSE(refused.empty());
  }
}
