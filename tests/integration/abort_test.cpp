// Expectations with "abort": true stop a run as soon as they are broken,
// against real loopback receivers; the summary, JSON and JUnit say so.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::read_text;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// 60 Voiceflow calls over about 3 wall seconds, each delivery tried once;
// `expect` is the scenario's expect block.
std::string scenario(const std::string& expect) {
  return R"({
  "name": "abort-me",
  "seed": 3,
  "speed": 100,
  "streams": [{
    "vendor": "voiceflow",
    "calls": { "count": 60, "arrival": { "rate_per_s": 0.2 }, "duration_s": 20 },
    "delivery": { "retry": { "max_attempts": 1 } }
  }],
  "expect": )" +
         expect + "\n}\n";
}

// Refuses every call end with a 503.
Receiver refusing_call_ends() {
  return Receiver([](const httplib::Request& req, httplib::Response& res) {
    if (contains(req.body, "runtime.call.end")) res.status = 503;
  });
}

// The scenario with `expect` played at max speed against `receiver`: its
// exit code, and its JSON report (which no abort named).
int play_through(const std::string& expect, const Receiver& receiver, json& report) {
  TempDir dir;
  const std::string path = dir.write("scenario.json", scenario(expect));
  const auto r = run_callhook(
      {"run", path, "--speed", "max", "--target", receiver.url() + "/hooks", "--json", dir.path("r.json")});
  INFO(r.out << r.err);
  report = read_json(dir.path("r.json"));
  CHECK_FALSE(report.contains("aborted_by"));
  CHECK(report.at("totals").at("cancelled") == 0);
  return r.exit_code;
}

}  // namespace

TEST_CASE(
    "an \"abort\" expectation over its limit stops the run early: exit 1, the rest cancelled, reported as aborted",
    "[abort]") {
  TempDir dir;
  Receiver receiver = refusing_call_ends();
  const std::string path =
      dir.write("abort.json", scenario(R"({ "failed": { "limit": 2, "abort": true }, "dropped": 0 })"));
  for (const std::string threads : {"1", "2"}) {
    SECTION("threads " + threads) {
      const auto started = std::chrono::steady_clock::now();
      const auto r =
          run_callhook({"run", path, "--target", receiver.url() + "/hooks", "--threads", threads, "--json",
                        dir.path("report.json"), "--junit", dir.path("junit.xml"), "--journal", dir.path("run.jsonl")});
      const auto took = std::chrono::steady_clock::now() - started;
      INFO(r.out << r.err);
      CHECK(r.exit_code == 1);
      CHECK(took < std::chrono::milliseconds(2500));  // the whole run would take about 3 s
      CHECK(contains(r.out, "aborted by expectation failed: "));
      CHECK(contains(r.out, "(aborted the run)"));
      CHECK_FALSE(contains(r.out, "interrupted:"));

      const json report = read_json(dir.path("report.json"));
      CHECK(report.at("aborted_by") == "failed");
      CHECK(report.at("interrupted") == true);
      CHECK(report.at("exit_code") == 1);
      // Over the limit (the answers of one batch may add more than one), and
      // far from all of the 60 calls' ends.
      const json totals = report.at("totals");
      INFO(totals.dump());
      CHECK(totals.at("failed").get<int>() > 2);
      CHECK(totals.at("failed").get<int>() < 30);
      CHECK(totals.at("cancelled").get<int>() > 0);
      const std::string junit = read_text(dir.path("junit.xml"));
      CHECK(contains(junit, "the run was aborted by expectation failed: "));

      // The journal ends with the accounting, the cancelled deliveries included.
      const auto records = read_jsonl(dir.path("run.jsonl"));
      REQUIRE(!records.empty());
      CHECK(records.back().at("kind") == "end");
      CHECK(records.back().at("cancelled") == totals.at("cancelled"));
    }
  }
}

TEST_CASE("an abort and --max-duration: whichever stops the run first is the one reported", "[abort]") {
  TempDir dir;
  // The scenario with `expect` under --max-duration: the run and its JSON report.
  const auto play = [&dir](const std::string& expect, const Receiver& receiver, const std::string& max_duration) {
    const std::string path = dir.write("scenario.json", scenario(expect));
    auto r = run_callhook({"run", path, "--target", receiver.url() + "/hooks", "--max-duration", max_duration, "--json",
                           dir.path("report.json")});
    return std::make_pair(std::move(r), read_json(dir.path("report.json")));
  };
  SECTION("the abort first: exit 1 and aborted_by, not the max duration's 4") {
    const auto [r, report] = play(R"({ "failed": { "limit": 2, "abort": true } })", refusing_call_ends(), "30");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK(contains(r.out, "aborted by expectation failed: "));
    CHECK_FALSE(contains(r.err, "max duration"));
    CHECK(report.at("aborted_by") == "failed");
    CHECK(report.at("max_duration_reached") == false);
  }
  SECTION("the max duration first: exit 4, no aborted_by") {
    const auto [r, report] = play(R"({ "failed": { "limit": 0, "abort": true } })", Receiver(), "0.5");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 4);
    CHECK(contains(r.out, "stopped at the max duration"));
    CHECK_FALSE(report.contains("aborted_by"));
    CHECK(report.at("max_duration_reached") == true);
    CHECK(report.at("totals").at("cancelled").get<int>() > 0);
  }
}

TEST_CASE("an \"abort\" expectation that stays met lets the run play to its end with exit 0", "[abort]") {
  Receiver receiver;
  json report;
  CHECK(play_through(R"({ "failed": { "limit": 0, "abort": true } })", receiver, report) == 0);
  CHECK(report.at("totals").at("delivered") == 240);
}

TEST_CASE("a broken expectation without \"abort\" fails the run only at its end", "[abort]") {
  Receiver receiver = refusing_call_ends();
  json report;
  CHECK(play_through(R"({ "failed": 2 })", receiver, report) == 1);
  CHECK(report.at("totals").at("failed") == 60);
}

TEST_CASE("max_latency_ms with \"abort\" stops the run at the first slower answer", "[abort]") {
  TempDir dir;
  Receiver receiver([](const httplib::Request& req, httplib::Response&) {
    if (contains(req.body, "runtime.call.start")) std::this_thread::sleep_for(std::chrono::milliseconds(150));
  });
  const std::string path = dir.write("slow.json", scenario(R"({ "max_latency_ms": { "limit": 100, "abort": true } })"));
  const auto started = std::chrono::steady_clock::now();
  const auto r = run_callhook({"run", path, "--target", receiver.url() + "/hooks", "--json", dir.path("r.json")});
  const auto took = std::chrono::steady_clock::now() - started;
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(took < std::chrono::milliseconds(2500));  // the whole run would take about 3 s
  const json report = read_json(dir.path("r.json"));
  CHECK(report.at("aborted_by") == "max_latency_ms");
  CHECK(report.at("totals").at("cancelled").get<int>() > 0);
  CHECK(receiver.count() < 60);  // of the 240 deliveries the whole run sends
}

TEST_CASE("\"abort\" on a limit decided only at the end is exit 2 naming the pointer", "[abort]") {
  TempDir dir;
  const std::string path = dir.write("bad.json", scenario(R"({ "p99_latency_ms": { "limit": 100, "abort": true } })"));
  const auto r = run_callhook({"validate", path});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "bad.json: /expect/p99_latency_ms/abort: p99_latency_ms can still change either way"));
}
