// The reports of the real binary: an unreachable receiver named in the
// summary, and `callhook report` rebuilding a run's reports from its journal.
#include <httplib.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>

#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::read_json;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;

TEST_CASE("a receiver that is not running is named in the summary, also with --quiet", "[integration][report]") {
  const std::string port = std::to_string(free_port());
  const std::string target = "http://127.0.0.1:" + port + "/hooks";
  const std::string hint = "connection refused at 127.0.0.1:" + port + ": is your receiver running?";
  const auto run = run_callhook(
      {"run", "scenarios/voiceflow-basic.json", "--target", target, "--speed", "max", "--progress", "never"});
  INFO(run.out << run.err);
  CHECK_THAT(run.out, Catch::Contains("target       " + target + "\n"));
  CHECK_THAT(run.out, Catch::Contains(hint));
  // The scenario's callers who call back have call ids of their own: listed as legs.
  CHECK_THAT(run.out, Catch::Contains("failing calls and call-back legs ("));
  CHECK_THAT(run.out, Catch::Contains("connect"));

  const auto quiet =
      run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", target, "--speed", "max", "--quiet"});
  INFO(quiet.err);
  CHECK(quiet.out.empty());
  CHECK_THAT(quiet.err, Catch::Contains("callhook: " + hint));
}

TEST_CASE("callhook report rebuilds the JSON report of a run from its journal", "[integration][report]") {
  Receiver receiver;
  TempDir dir;
  const auto run =
      run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks", "--speed", "max",
                    "--journal", dir.path("run.jsonl"), "--report", dir.path("run.json"), "--progress", "never"});
  REQUIRE(run.exit_code == 0);
  const auto live = read_json(dir.path("run.json"));
  CHECK(live["version"] == "0.1.0");
  CHECK(live["exit_code"] == 0);
  CHECK(live["run"]["targets"] == nlohmann::json::array({receiver.url() + "/hooks"}));
  CHECK(live["run"]["ordering"] == "timeline");  // the default
  CHECK(live["run"]["started_at"].is_string());

  const auto rebuilt_run = run_callhook(
      {"report", dir.path("run.jsonl"), "--json", dir.path("rebuilt.json"), "--html", dir.path("rebuilt.html")});
  INFO(rebuilt_run.out << rebuilt_run.err);
  REQUIRE(rebuilt_run.exit_code == 0);
  CHECK_THAT(rebuilt_run.out, Catch::Contains("accounting: "));
  const auto rebuilt = read_json(dir.path("rebuilt.json"));
  for (const char* key : {"planned", "sent", "delivered", "failed", "dropped", "retried", "out_of_order"}) {
    INFO(key);
    CHECK(rebuilt["totals"][key] == live["totals"][key]);
  }
  CHECK(rebuilt["totals"]["planned"].get<int>() > 0);
  CHECK(rebuilt["exit_code"].is_null());  // a journal does not know the run's exit code
  CHECK(rebuilt["interrupted"] == false);
  CHECK(rebuilt["latency_ms"]["count"] == live["latency_ms"]["count"]);
  const auto& second = rebuilt["throughput"]["per_second"].at(0);
  CHECK(second["latency_ms"]["p99"].is_number());
  std::ifstream html(dir.path("rebuilt.html"));
  const std::string page((std::istreambuf_iterator<char>(html)), {});
  CHECK_THAT(page, Catch::Contains("<script type=\"application/json\" id=\"timeline-data\">"));
  // Self-contained: no script, style sheet or image to fetch.
  CHECK_THAT(page, !Catch::Contains("<script src") && !Catch::Contains("<link") && !Catch::Contains("<img"));

  // --report, the alias of --json, writes the same report, renamed into place.
  const auto via_alias = run_callhook({"report", dir.path("run.jsonl"), "--report", dir.path("alias.json"), "--quiet"});
  REQUIRE(via_alias.exit_code == 0);
  CHECK(read_json(dir.path("alias.json")) == rebuilt);
  for (const auto& entry : std::filesystem::directory_iterator(dir.path("")))
    CHECK(entry.path().filename().string().front() != '.');  // no temporary file left behind
  const auto both = run_callhook(
      {"report", dir.path("run.jsonl"), "--json", dir.path("a.json"), "--report", dir.path("b.json"), "--quiet"});
  CHECK(both.exit_code == 2);
}

TEST_CASE("callhook report: a journal that is not one is bad input, named with its line", "[integration][report]") {
  TempDir dir;
  const std::string path = dir.write("bad.jsonl", "{\"kind\":\"run\"}\n");
  const auto result = run_callhook({"report", path});
  CHECK(result.exit_code == 2);
  CHECK_THAT(result.err, Catch::Contains(path + ":1: /scenario"));
}

TEST_CASE("a Retry-After over the cap is counted in the summary, the JSON report and its journal's report",
          "[integration][report]") {
  // Each delivery's first attempt asks for a wait too large to represent;
  // its retry is accepted.
  std::mutex mutex;
  std::set<std::string> seen;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> lock(mutex);
    if (seen.insert(req.target + req.body).second) {
      res.status = 503;
      res.set_header("Retry-After", "99999999999999999999");
      return;
    }
    res.status = 200;
  });
  TempDir dir;
  {
    std::ofstream scenario(dir.path("s.json"));
    scenario << R"({"name": "clamp", "seed": 4, "speed": "max", "streams": [{"vendor": "fonedynamics",
      "calls": {"count": 2}, "delivery": {"retry": {"max_attempts": 2, "backoff_ms": [10],
      "retry_after_max_ms": 60000}}}]})";
  }
  const auto run = run_callhook({"run", dir.path("s.json"), "--target", receiver.url() + "/hooks", "--journal",
                                 dir.path("run.jsonl"), "--report", dir.path("run.json"), "--progress", "never"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.out, Catch::Contains("retry-after  4 answers asked to wait longer than retry.retry_after_max_ms"));
  const auto live = read_json(dir.path("run.json"));
  CHECK(live["totals"]["retry_after_clamped"] == 4);
  CHECK(live["totals"]["delivered"] == 4);
  const auto rebuilt_run = run_callhook({"report", dir.path("run.jsonl"), "--json", dir.path("rebuilt.json")});
  REQUIRE(rebuilt_run.exit_code == 0);
  CHECK(read_json(dir.path("rebuilt.json"))["totals"]["retry_after_clamped"] == 4);
  std::ifstream journal(dir.path("run.jsonl"));
  int clamped = 0;
  for (std::string line; std::getline(journal, line);)
    if (line.find("\"retry_after_clamped_ms\":9223372036854775000") != std::string::npos) ++clamped;
  CHECK(clamped == 4);
}
