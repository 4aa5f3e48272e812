// RunSession: the passes of a run, driven the way `callhook serve` drives
// them (scenario text, built-in sink, reports in memory).
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "run/run_session.hpp"

using namespace callhook;

namespace {

run::RunOptions options_for(const std::string& scenario) {
  run::RunOptions options;
  options.scenario_path = "scenario";
  options.scenario_text = scenario;
  return options;
}

}  // namespace

TEST_CASE("a session runs a scenario against the built-in sink and keeps its reports", "[run]") {
  run::RunSession session(options_for(
      R"({"name": "s", "speed": "max", "streams": [{"vendor": "voicekit", "calls": {"count": 2}}],
          "expect": {"failed": 0}})"));
  REQUIRE(session.prepare());
  CHECK(session.scenario_name() == "s");
  int ticks = 0;
  session.run([&](const run::Progress&) { ++ticks; });
  const run::RunResult result = session.finish();
  CHECK(result.exit_code == run::k_exit_ok);
  CHECK(result.accounted);
  CHECK_FALSE(result.interrupted);
  const auto& report = session.reports().json();
  CHECK(report["totals"]["planned"].get<int>() > 0);
  CHECK(report["totals"]["delivered"] == report["totals"]["planned"]);
  // The snapshot after the end holds the final counters.
  const run::Progress last = session.snapshot();
  CHECK(last.totals.delivered == report["totals"]["delivered"].get<std::int64_t>());
  CHECK(session.reports().junit().find("<testsuite") != std::string::npos);
  CHECK(session.reports().text().find("accounting:") != std::string::npos);
}

TEST_CASE("an unmet expectation is exit code 1", "[run]") {
  run::RunSession session(options_for(
      R"({"speed": "max", "streams": [{"vendor": "atoms", "calls": {"count": 1}}], "expect": {"delivered": 1000}})"));
  REQUIRE(session.prepare());
  session.run();
  const auto result = session.finish();
  CHECK(result.exit_code == run::k_exit_expectations);
  CHECK_FALSE(result.expectations_met);
}

TEST_CASE("an invalid scenario is problems with pointers, and nothing runs", "[run]") {
  run::RunSession session(options_for(R"({"streams": [{"vendor": "nope", "calls": {"count": 1}}]})"));
  CHECK_FALSE(session.prepare());
  REQUIRE(session.problems().size() >= 1);
  CHECK(session.problems().list()[0].pointer == "/streams/0/vendor");
  CHECK(session.source() == "scenario");
}

TEST_CASE("an unwritable output is BadInput naming the option", "[run]") {
  auto options = options_for(R"({"streams": [{"vendor": "atoms", "calls": {"count": 1}}]})");
  options.reports.json = "/nonexistent-dir/report.json";
  run::RunSession session(options);
  CHECK_THROWS_AS(session.prepare(), run::BadInput);
}

TEST_CASE("overrides from the options reach the payloads", "[run]") {
  auto options = options_for(R"({"speed": "max", "streams": [{"vendor": "voiceflow", "calls": {"count": 1}}]})");
  options.seed = 99;
  options.sets.push_back(run::parse_field_flag("/data/marker=set-by-test", true));
  options.journal_path = "unit_run_session.jsonl";
  run::RunSession session(options);
  REQUIRE(session.prepare());
  session.run();
  session.finish();
  CHECK(session.info().seed == 99u);
  std::ifstream journal("unit_run_session.jsonl");
  std::stringstream all;
  all << journal.rdbuf();
  CHECK(all.str().find("set-by-test") != std::string::npos);
  std::remove("unit_run_session.jsonl");
}
