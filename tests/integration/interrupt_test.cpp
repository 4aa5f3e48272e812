// Ctrl-C and SIGTERM in the middle of a run: the run stops, cancels what it
// has not delivered, and still writes its journal, reports and summary.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::ProcessResult;
using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::read_text;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::SignalPlan;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

// A receiver slow enough that voiceflow-basic (about 100 webhooks, two at a
// time) takes many seconds.
Receiver::Handler slow(int ms) {
  return [ms](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(ms));
    res.set_content("{\"ok\":true}", "application/json");
  };
}

ProcessResult interrupted_run(const Receiver& receiver, const TempDir& dir, std::vector<int> signals,
                              std::vector<std::string> extra = {}) {
  std::vector<std::string> args = {"run",           "scenarios/voiceflow-basic.json",
                                   "--target",      receiver.url() + "/hooks",
                                   "--speed",       "max",
                                   "--concurrency", "2",
                                   "--report",      dir.path("report.json"),
                                   "--junit",       dir.path("junit.xml"),
                                   "--journal",     dir.path("journal.jsonl"),
                                   "--progress",    "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  SignalPlan plan;
  plan.ready = [&receiver] { return receiver.count() >= 6; };
  plan.signals = std::move(signals);
  return run_callhook(args, plan, 60);
}

// What every interrupted run must leave behind.
void check_outputs(const TempDir& dir, const ProcessResult& result, std::size_t received) {
  INFO(result.out << result.err);
  const json report = read_json(dir.path("report.json"));
  CHECK(report["interrupted"] == true);
  const json& totals = report["totals"];
  CHECK(totals["cancelled"].get<std::int64_t>() > 0);
  CHECK(totals["planned"].get<std::int64_t>() ==
        totals["delivered"].get<std::int64_t>() + totals["failed"].get<std::int64_t>() +
            totals["dropped"].get<std::int64_t>() + totals["cancelled"].get<std::int64_t>());
  CHECK(report["accounting"]["ok"] == true);
  // Nothing is counted as delivered that the receiver did not get.
  CHECK(totals["delivered"].get<std::size_t>() <= received);
  // "interrupted: N deliveries cancelled", or "stopped at the max duration (S): ..." when by its limit.
  CHECK((result.out.find("interrupted: ") != std::string::npos ||
         result.out.find("stopped at the max duration (") != std::string::npos));
  CHECK(result.out.find(" cancelled") != std::string::npos);

  const std::string junit = read_text(dir.path("junit.xml"));
  CHECK(junit.find("<testcase name=\"interrupted\"") != std::string::npos);
  CHECK(junit.find("</testsuites>") != std::string::npos);

  // Every line is whole JSON; the last is the end record, marked interrupted.
  const auto lines = read_jsonl(dir.path("journal.jsonl"));
  REQUIRE(lines.size() >= 2);
  const json& end = lines.back();
  CHECK(end["kind"] == "end");
  CHECK(end["interrupted"] == true);
  CHECK(end["cancelled"] == totals["cancelled"]);
  CHECK(end["planned"] == totals["planned"]);
  std::int64_t cancelled_finals = 0;
  for (const auto& line : lines)
    if (line["kind"] == "final" && line["result"] == "cancelled") ++cancelled_finals;
  CHECK(cancelled_finals == totals["cancelled"].get<std::int64_t>());
}

}  // namespace

TEST_CASE("SIGINT mid-run: exit 130, partial report, JUnit and a whole journal that replays",
          "[integration][interrupt]") {
  Receiver receiver(slow(150));
  TempDir dir;
  const auto result = interrupted_run(receiver, dir, {SIGINT});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 130);
  check_outputs(dir, result, receiver.count());

  Receiver again;
  const auto replay = run_callhook({"replay", dir.path("journal.jsonl"), "--target", again.url(), "--speed", "max"});
  INFO(replay.out << replay.err);
  REQUIRE(replay.exit_code == 0);
  const auto attempts = read_jsonl(dir.path("journal.jsonl"));
  std::size_t recorded = 0;
  for (const auto& line : attempts) recorded += line["kind"] == "attempt" ? 1 : 0;
  REQUIRE(recorded > 0);
  CHECK(again.count() == recorded);
}

TEST_CASE("SIGTERM mid-run: exit 143 with the same outputs", "[integration][interrupt]") {
  Receiver receiver(slow(150));
  TempDir dir;
  const auto result = interrupted_run(receiver, dir, {SIGTERM});
  REQUIRE(result.exit_code == 143);
  check_outputs(dir, result, receiver.count());
}

TEST_CASE("a second SIGINT ends the grace period at once", "[integration][interrupt]") {
  // Answers take 5 s and the grace is 60 s: only the second signal can end
  // the run within the test's time limit.
  Receiver receiver(slow(5000));
  TempDir dir;
  const auto started = std::chrono::steady_clock::now();
  SignalPlan plan;
  plan.ready = [&receiver] { return receiver.count() >= 2; };
  plan.signals = {SIGINT, SIGINT};
  plan.gap_ms = 300;
  const auto result =
      run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks", "--speed", "max",
                    "--concurrency", "2", "--grace", "60", "--report", dir.path("report.json"), "--journal",
                    dir.path("journal.jsonl"), "--progress", "never"},
                   plan, 30);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 130);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(20));
  const json report = read_json(dir.path("report.json"));
  CHECK(report["interrupted"] == true);
  CHECK(report["totals"]["delivered"] == 0);
  CHECK(report["accounting"]["ok"] == true);
  const auto lines = read_jsonl(dir.path("journal.jsonl"));
  REQUIRE(!lines.empty());
  CHECK(lines.back()["kind"] == "end");
}

TEST_CASE("an older report survives a run that is killed or refused", "[integration][interrupt]") {
  TempDir dir;
  const std::string old_report = dir.write("report.json", "{\"old\":true}\n");
  const std::string old_junit = dir.write("junit.xml", "<old/>\n");

  // Killed outright: the reports are written only at the end, whole.
  Receiver receiver(slow(150));
  const auto killed = interrupted_run(receiver, dir, {SIGKILL});
  CHECK(killed.exit_code == -SIGKILL);
  CHECK(read_text(old_report) == "{\"old\":true}\n");
  CHECK(read_text(old_junit) == "<old/>\n");

  // Refused before running: nothing is touched either.
  const auto refused = run_callhook({"run", "tests/data/invalid/does-not-exist.json", "--report", old_report});
  CHECK(refused.exit_code == 2);
  CHECK(read_text(old_report) == "{\"old\":true}\n");

  // A report path that cannot be written fails before the run starts.
  const auto unwritable = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--report",
                                        dir.path("no-such-folder/report.json")});
  CHECK(unwritable.exit_code == 2);
  CHECK(unwritable.err.find("--report: cannot write") != std::string::npos);
}

TEST_CASE("replay accepts a journal whose last line was cut, with a warning", "[integration][interrupt]") {
  Receiver receiver;
  TempDir dir;
  const auto run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--speed", "max",
                                 "--journal", dir.path("journal.jsonl"), "--progress", "never"});
  REQUIRE(run.exit_code == 0);
  // Keep the lines up to the third attempt, and half of the fourth.
  std::istringstream lines(read_text(dir.path("journal.jsonl")));
  std::string line, cut;
  int attempts = 0;
  while (std::getline(lines, line)) {
    if (line.find("\"kind\":\"attempt\"") != std::string::npos && ++attempts == 4) {
      cut += line.substr(0, line.size() / 2);
      break;
    }
    cut += line + "\n";
  }
  REQUIRE(attempts == 4);
  const std::string path = dir.write("cut.jsonl", cut);

  Receiver again;
  const auto replay = run_callhook({"replay", path, "--target", again.url(), "--speed", "max"});
  INFO(replay.out << replay.err);
  REQUIRE(replay.exit_code == 0);
  CHECK(replay.err.find("warning") != std::string::npos);
  CHECK(replay.err.find("cut short") != std::string::npos);
  CHECK(again.count() == 3);
}

TEST_CASE("a scenario's max_duration_s stops the run: exit 4, the outputs of an interrupted run, the reason named",
          "[integration][interrupt]") {
  Receiver receiver(slow(100));
  TempDir dir;
  const std::string scenario = dir.write("limited.json", R"({
    "name": "limited", "seed": 2, "speed": "max", "concurrency": 2, "max_duration_s": 0.5,
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 40 } }],
    "expect": { "failed": 0 }
  })");
  const auto started = std::chrono::steady_clock::now();
  const ProcessResult result =
      run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--report", dir.path("report.json"),
                    "--junit", dir.path("junit.xml"), "--journal", dir.path("journal.jsonl"), "--progress", "never"});
  INFO(result.out << result.err);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));  // 160 deliveries take 8 s
  CHECK(result.exit_code == 4);
  check_outputs(dir, result, receiver.count());
  CHECK(read_json(dir.path("report.json"))["max_duration_reached"] == true);
  CHECK(result.out.find("stopped at the max duration (") != std::string::npos);
}
