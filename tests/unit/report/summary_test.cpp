#include <catch2/catch.hpp>

#include <sstream>
#include <string>
#include <vector>

#include "report/junit.hpp"
#include "report/summary.hpp"
#include "report_fixtures.hpp"

using namespace callhook::report;
using namespace callhook::report::testing;
using callhook::delivery::ErrorKind;
using Json = nlohmann::ordered_json;

namespace {

// start: 3 planned, 2 delivered, 1 failed; end: 2 planned, 1 delivered,
// 1 dropped. Two 503s, a timeout, 2 s of wall time.
void fill(RunStats& stats) {
  for (int i = 0; i < 3; ++i) stats.on_planned("runtime.call.start");
  for (int i = 0; i < 2; ++i) stats.on_planned("runtime.call.end");
  stats.on_attempt(attempt("runtime.call.start", "A", 200, 2000, 0));
  stats.on_attempt(attempt("runtime.call.start", "B", 200, 4000, 100000));
  stats.on_attempt(attempt("runtime.call.start", "C", 503, 3000, 200000));
  stats.on_attempt(attempt("runtime.call.start", "C", 503, 3000, 1200000, 2));
  stats.on_attempt(transport_error("runtime.call.start", "C", ErrorKind::Timeout, 800000, 3));
  stats.on_attempt(attempt("runtime.call.end", "A", 204, 1000, 1900000));
  stats.on_final(final_event("runtime.call.start", "A", 0, Final::Delivered, "", {"delay:10ms"}));
  stats.on_final(final_event("runtime.call.start", "B", 1, Final::Delivered));
  stats.on_final(final_event("runtime.call.start", "C", 2, Final::Failed, "timeout after 3 attempts"));
  stats.on_final(final_event("runtime.call.end", "A", 3, Final::Delivered));
  stats.on_final(final_event("runtime.call.end", "B", 4, Final::Dropped, "", {"drop"}));
}

RunInfo info() {
  RunInfo run;
  run.scenario_name = "voicebot-handshake";
  run.scenario_path = "scenarios/voicebot.json";
  run.seed = 7;
  run.speed = 0;
  run.duration_s = 2.5;
  run.virtual_span_ms = 312000;
  run.calls = 3;
  run.targets = {"http://127.0.0.1:9/hooks"};
  run.ordering = "concurrent";
  run.started_at = "2026-01-02T03:04:05.678Z";
  return run;
}

}  // namespace

TEST_CASE("JSON report: keys, integer totals and accounting") {
  RunStats stats;
  fill(stats);
  const Json report = to_json(stats, info());

  const std::vector<std::string> keys = {
      "version",       "run",      "exit_code",  "interrupted", "max_duration_reached", "duration_s", "totals",
      "accounting",    "events",   "latency_ms", "lateness_ms", "throughput",           "errors",     "faults",
      "failing_calls", "findings", "probes",     "expectations"};
  std::vector<std::string> got;
  for (const auto& item : report.items()) got.push_back(item.key());
  CHECK(got == keys);

  const Json& totals = report["totals"];
  const std::vector<std::pair<std::string, std::int64_t>> expected_totals = {
      {"planned", 5},   {"sent", 6},    {"delivered", 3}, {"failed", 1},       {"dropped", 1},
      {"cancelled", 0}, {"retried", 2}, {"too_slow", 0},  {"out_of_order", 0}, {"findings", 0}};
  for (const auto& [key, value] : expected_totals) {
    INFO(key);
    REQUIRE(totals.contains(key));
    CHECK(totals[key].is_number_integer());
    CHECK(totals[key].get<std::int64_t>() == value);
  }
  CHECK(report["interrupted"] == false);
  CHECK(report["version"] == "0.1.0");
  CHECK(report["exit_code"].is_null());  // not decided when the report was made
  CHECK(report["duration_s"].is_number());
  CHECK(report["duration_s"].get<double>() == 2.5);
  CHECK(report["accounting"] == Json{{"ok", true}, {"unaccounted", 0}});

  const Json& start = report["events"]["runtime.call.start"];
  CHECK(start["planned"] == 3);
  CHECK(start["sent"] == 5);
  CHECK(start["failed"] == 1);
  for (const char* key : {"p50", "p90", "p99", "max", "mean"}) CHECK(start["latency_ms"].contains(key));
  for (const char* key : {"p50", "p90", "p99", "max"}) CHECK(start["lateness_ms"].contains(key));
  CHECK(start["latency_ms"]["max"].get<double>() == 800.0);
  CHECK(report["events"]["runtime.call.end"]["dropped"] == 1);

  CHECK(report["latency_ms"]["max"].get<double>() == 800.0);
  CHECK(report["latency_ms"]["p50"].get<double>() == Approx(3.0).epsilon(0.01));

  const Json& per_second = report["throughput"]["per_second"];
  REQUIRE(per_second.size() == 2);
  // Second 0: A, B and C's first try sent and answered (2 delivered, one 503),
  // and C's timeout (sent at 0, answered after 0.8 s); second 1: C's retry (503)
  // and A's end.
  CHECK(per_second[0]["sent"] == 4);
  CHECK(per_second[0]["delivered"] == 2);
  CHECK(per_second[0]["retries"] == 1);
  CHECK(per_second[0]["errors"] == Json{{"timeout", 1}, {"http_5xx", 1}});
  CHECK(per_second[0]["latency_ms"]["p99"].get<double>() == Approx(800.0).epsilon(0.05));
  CHECK(per_second[1]["sent"] == 2);
  CHECK(per_second[1]["delivered"] == 1);
  CHECK(per_second[1]["retries"] == 1);
  CHECK(per_second[1]["errors"] == Json{{"http_5xx", 1}});
  CHECK(per_second[1]["latency_ms"]["p50"].get<double>() == Approx(1.0).epsilon(0.05));
  // The mean over the real span (6 attempts, the last answer at 1.901 s),
  // the peak of the busiest whole second, which is not below it.
  CHECK(report["throughput"]["mean_sent_per_s"].get<double>() == Approx(6 / 1.901).epsilon(0.001));
  CHECK(report["throughput"]["span_ms"].get<double>() == Approx(1901).epsilon(0.001));
  CHECK(report["throughput"]["peak_sent_per_s"] == 4);
  const Json& buckets = report["latency_ms"]["histogram"];
  std::int64_t bucketed = 0;
  for (const auto& bucket : buckets) bucketed += bucket["count"].get<std::int64_t>();
  CHECK(bucketed == report["latency_ms"]["count"].get<std::int64_t>());
  CHECK(buckets.back()["to_ms"].get<double>() >= 800.0);

  CHECK(report["errors"] == Json{{"timeout", 1}, {"http_503", 2}});
  CHECK(report["faults"] == Json{{"delay", 1}, {"drop", 1}});
  CHECK(report["run"] == Json{{"scenario", "voicebot-handshake"},
                              {"path", "scenarios/voicebot.json"},
                              {"seed", 7},
                              {"speed", "max"},
                              {"targets", Json::array({"http://127.0.0.1:9/hooks"})},
                              {"ordering", "concurrent"},
                              {"started_at", "2026-01-02T03:04:05.678Z"},
                              {"calls", 3},
                              {"call_back_legs", 0},
                              {"virtual_span_ms", 312000},
                              {"first_delivery_ms", nullptr},
                              {"peak_rss_mb", nullptr}});
  CHECK(report["expectations"] == Json::array());
}

TEST_CASE("JSON report: a numeric speed, unaccounted deliveries, expectations") {
  RunStats stats;
  fill(stats);
  stats.on_planned("runtime.call.end");
  RunInfo run = info();
  run.speed = 600;
  const auto results = check_expectations({{"failed", 0}}, stats);
  const Json report = to_json(stats, run, results);
  CHECK(report["run"]["speed"] == 600);
  CHECK(report["run"]["speed"].is_number_integer());
  CHECK(report["accounting"] == Json{{"ok", false}, {"unaccounted", 1}});
  REQUIRE(report["expectations"].size() == 1);
  CHECK(report["expectations"][0] ==
        Json{{"name", "failed"}, {"limit", 0}, {"actual", 1}, {"met", false}, {"text", "failed 1 > 0"}});
  CHECK(report["expectations"][0]["limit"].is_number_integer());
}

TEST_CASE("JSON report: findings and probes, with invalid UTF-8 made valid") {
  RunStats stats;
  stats.on_finding({"A", "session_start", "answer was \"\xff\xfe\""});
  stats.on_probe(testing::probe("A", "http://x/calls/A", false, "/status: expected \"ended\""));
  const Json report = to_json(stats, info());
  REQUIRE(report["findings"].size() == 1);
  CHECK(report["findings"][0]["message"] == "answer was \"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(report["probes"][0] == Json{{"call_id", "A"},
                                    {"url", "http://x/calls/A"},
                                    {"method", "GET"},
                                    {"status", 0},
                                    {"error", ""},
                                    {"passed", false},
                                    {"message", "/status: expected \"ended\""},
                                    {"pointer", ""},
                                    {"expected", ""},
                                    {"got", ""},
                                    {"polls", 1},
                                    {"wall_offset_us", 0},
                                    {"wall_latency_us", 0}});  // the answer stays in the journal
  CHECK(report["totals"]["probe_failures"] == 1);
  CHECK_NOTHROW(report.dump());
}

TEST_CASE("JSON report: statistics of nothing are null, the exit code and interruption are given") {
  RunStats stats;
  RunInfo run = info();
  run.exit_code = 3;
  run.interrupted = true;
  const Json report = to_json(stats, run);
  CHECK(report["exit_code"] == 3);
  CHECK(report["interrupted"] == true);
  CHECK(report["latency_ms"]["count"] == 0);
  for (const char* key : {"p50", "p90", "p99", "max", "mean"}) CHECK(report["latency_ms"][key].is_null());
  CHECK(report["lateness_ms"]["p99"].is_null());
  CHECK(report["throughput"]["mean_sent_per_s"].is_null());
  CHECK(report["throughput"]["per_second"] == Json::array());
}

TEST_CASE("text summary") {
  RunStats stats;
  fill(stats);
  for (int i = 0; i < 25; ++i) stats.on_finding({"C", "runtime.call.start", "finding " + std::to_string(i)});
  stats.on_probe(testing::probe("B", "http://x/calls/B", false, "/status: expected \"ended\""));
  std::ostringstream out;
  RunInfo run = info();
  run.outputs = {"report.json", "run.jsonl"};
  print_text(stats, run, check_expectations({{"failed", 0}, {"delivered", 3}}, stats), out);
  const std::string text = out.str();
  INFO(text);

  CHECK_THAT(text, Catch::StartsWith("scenario voicebot-handshake (scenarios/voicebot.json)  seed 7  speed max  "
                                     "ordering concurrent  wall 2.50s  virtual 5m12s  calls 3\n"
                                     "target       http://127.0.0.1:9/hooks\n"
                                     "wrote        report.json, run.jsonl\n\n"));
  CHECK_THAT(text, Catch::Contains("event               planned  sent  delivered  failed  dropped  retried  "
                                   "out-of-order  p50 ms  p90 ms  p99 ms  max ms\n"));
  CHECK_THAT(text, Catch::Contains("\nruntime.call.start        3     5          2       1        0        2"));
  CHECK_THAT(text, Catch::Contains("\ntotal                     5     6          3       1        1        2"));
  CHECK_THAT(text, Catch::Contains("errors       3 of 6 attempts: timeout 1, HTTP 503 2\n"));
  CHECK_THAT(text, Catch::Contains(
                       "throughput   sent mean 3.2/s peak 4/s; delivered mean 1.6/s peak 2/s (per wall second)\n"));
  CHECK_THAT(text,
             Catch::Contains(
                 "failing calls (2):\n  B probe http://x/calls/B: /status: expected \"ended\"\n"
                 "  C delivery #2 runtime.call.start: timeout after 3 attempts (and 25 more failures in this call)\n"));
  CHECK_THAT(text, Catch::Contains("faults       delay 1, drop 1\n"));
  CHECK_THAT(text, Catch::Contains("findings (25):\n  C runtime.call.start: finding 0\n"));
  CHECK_THAT(text, Catch::Contains("  C runtime.call.start: finding 19\n  and 5 more\n"));
  CHECK_THAT(text, !Catch::Contains("finding 20"));
  CHECK_THAT(text, Catch::Contains("probe failures (1 of 1):\n  B http://x/calls/B: /status: expected \"ended\"\n"));
  CHECK_THAT(text, Catch::Contains("expectations:\n  \u2717 failed 1 > 0\n  \u2713 delivered 3 >= 3\n"));
  CHECK_THAT(text, Catch::EndsWith("\naccounting: 5 planned = 3 delivered + 1 failed + 1 dropped  \u2713\n"));
  CHECK(text.find('\x1b') == std::string::npos);
}

TEST_CASE("text summary: unaccounted deliveries, too slow answers, colours") {
  RunStats stats;
  fill(stats);
  stats.on_planned("runtime.call.end");
  stats.on_planned("runtime.call.end");
  AttemptEvent slow = attempt("runtime.call.end", "B", 200, 11000000);
  slow.too_slow = true;
  stats.on_attempt(slow);

  std::ostringstream plain;
  print_text(stats, info(), plain);
  CHECK_THAT(plain.str(), Catch::EndsWith("\naccounting: 7 planned != 3 delivered + 1 failed + 1 dropped  "
                                          "\u2717 2 unaccounted\n"));
  CHECK_THAT(plain.str(), Catch::Contains("too slow     1 answers were 2xx after the vendor's timeout"));

  std::ostringstream coloured;
  print_text(stats, info(), {}, coloured, true);
  CHECK_THAT(coloured.str(), Catch::Contains("\x1b[31m\u2717\x1b[0m"));
}

TEST_CASE("text summary: control characters from receivers are escaped") {
  RunStats stats;
  stats.on_finding({"A", "e", "body: \x1b[2J\x07"});
  std::ostringstream out;
  print_text(stats, info(), out);
  CHECK_THAT(out.str(), Catch::Contains("A e: body: \\x1b[2J\\x07\n"));
}

TEST_CASE("an interrupted run is marked in the JSON, the text and JUnit") {
  RunStats stats;
  fill(stats);
  callhook::report::FinalEvent cancelled;
  cancelled.event = "runtime.call.end";
  cancelled.call_id = "c-cancelled";
  cancelled.result = callhook::report::Final::Cancelled;
  stats.on_planned("runtime.call.end");
  stats.on_final(cancelled);
  auto run = info();
  run.interrupted = true;

  const Json report = to_json(stats, run);
  CHECK(report["interrupted"] == true);
  CHECK(report["totals"]["cancelled"] == 1);
  CHECK(report["accounting"]["ok"] == true);

  std::ostringstream text;
  print_text(stats, run, text);
  CHECK(text.str().find("interrupted: 1 deliveries cancelled") != std::string::npos);
  CHECK(text.str().find(" + 1 cancelled") != std::string::npos);

  std::ostringstream junit;
  callhook::report::write_junit(stats, run, junit, {});
  CHECK(junit.str().find("<testcase name=\"interrupted\"") != std::string::npos);
  CHECK(junit.str().find("1 planned deliveries cancelled") != std::string::npos);
}

TEST_CASE("text summary: an unreachable receiver is named, with a hint") {
  RunStats stats;
  stats.on_planned("e");
  stats.on_attempt(transport_error("e", "A", ErrorKind::Connect, 0));
  stats.on_final(final_event("e", "A", 0, Final::Failed, "connect (Connection refused) after 1 attempt"));
  RunInfo run = info();
  CHECK(connection_problems(stats, run) ==
        std::vector<std::string>{"connection refused at 127.0.0.1:9: is your receiver running? (1 attempt)"});
  std::ostringstream out;
  print_text(stats, run, out);
  CHECK_THAT(
      out.str(),
      Catch::Contains(
          "target       http://127.0.0.1:9/hooks\nconnection refused at 127.0.0.1:9: is your receiver running?"));
  CHECK_THAT(out.str(),
             Catch::Contains("failing calls (1):\n  A delivery #0 e: connect (Connection refused) after 1 attempt\n"));

  RunStats tls;
  tls.on_attempt(transport_error("e", "A", ErrorKind::Tls, 0));
  tls.on_final(final_event("e", "A", 0, Final::Failed, "tls (certificate verify failed) after 1 attempt"));
  CHECK(connection_problems(tls, run) ==
        std::vector<std::string>{"TLS handshake with 127.0.0.1:9 failed: tls (certificate verify failed) after 1 "
                                 "attempt (1 attempt)"});
  CHECK(connection_problems(RunStats{}, run).empty());
}

TEST_CASE("text summary: at most ten failing calls, then how many more") {
  RunStats stats;
  for (int i = 0; i < 12; ++i) {
    const std::string id = "C" + std::to_string(i);
    stats.on_planned("e");
    stats.on_final(final_event("e", id, static_cast<std::uint64_t>(i), Final::Failed, "status 500 after 1 attempt"));
  }
  std::ostringstream out;
  print_text(stats, info(), out);
  CHECK_THAT(out.str(), Catch::Contains("failing calls (12):\n  C0 delivery #0 e: status 500 after 1 attempt\n"));
  CHECK_THAT(out.str(), Catch::Contains("  C9 delivery #9 e: status 500 after 1 attempt\n  and 2 more calls\n"));
  CHECK_THAT(out.str(), !Catch::Contains("C10 "));
}

TEST_CASE("text summary: statistics of nothing are a dash, not 0") {
  // No receiver: every attempt refused, nothing answered.
  RunStats stats;
  stats.on_planned("e");
  stats.on_attempt(transport_error("e", "C", ErrorKind::Connect, 0, 1));
  stats.on_final(final_event("e", "C", 0, Final::Failed, "connect (Connection refused) after 1 attempt"));
  std::ostringstream out;
  print_text(stats, info(), check_expectations({{"p99_latency_ms", 1000}}, stats), out);
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("p50 ms  p90 ms  p99 ms  max ms\n"));
  CHECK_THAT(text, Catch::Contains("\ne            1     1          0       1        0        0             0       "
                                   "\u2013       \u2013       \u2013       \u2013\n"));
  CHECK_THAT(text, Catch::Contains("  \u2717 p99_latency_ms: no data (no answered attempts)\n"));
  const Json report = to_json(stats, info(), check_expectations({{"p99_latency_ms", 1000}}, stats));
  CHECK(report["expectations"][0]["actual"].is_null());
  CHECK(report["expectations"][0]["met"] == false);
}

TEST_CASE("text summary: call-back legs are named as legs, and more failures of a call say what they are") {
  RunStats stats;
  for (int i = 0; i < 3; ++i) stats.on_planned("e");
  stats.on_final(final_event("e", "CA1", 0, Final::Failed, "status 500 after 4 attempts"));
  stats.on_final(final_event("e", "CA1", 1, Final::Failed, "status 500 after 4 attempts"));
  stats.on_final(final_event("e", "CA2-leg", 2, Final::Failed, "status 500 after 4 attempts"));
  RunInfo run = info();
  run.calls = 1;
  run.legs = 1;
  std::ostringstream out;
  print_text(stats, run, out);
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("  calls 1 (+1 call-back legs)\n"));
  CHECK_THAT(text,
             Catch::Contains("\nfailing calls and call-back legs (2):\n"
                             "  CA1 delivery #0 e: status 500 after 4 attempts (and 1 more failure in this call)\n"));
  const Json report = to_json(stats, run);
  CHECK(report["run"]["call_back_legs"] == 1);
}

TEST_CASE("text summary: a run stopped by its max duration says so") {
  RunStats stats;
  stats.on_planned("e");
  stats.on_final(final_event("e", "C", 0, Final::Cancelled, "the run was interrupted"));
  RunInfo run = info();
  run.interrupted = true;
  run.max_duration_s = 30;
  std::ostringstream out;
  print_text(stats, run, out);
  CHECK_THAT(out.str(), Catch::Contains("stopped at the max duration (30.0s): 1 deliveries cancelled\n"));
  CHECK_THAT(out.str(), !Catch::Contains("interrupted:"));
  const Json report = to_json(stats, run);
  CHECK(report["interrupted"] == true);
  CHECK(report["max_duration_reached"] == true);
}
