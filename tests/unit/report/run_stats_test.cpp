#include <catch2/catch.hpp>

#include <deque>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "report/run_stats.hpp"
#include "report_fixtures.hpp"

using namespace callhook::report;
using namespace callhook::report::testing;
using callhook::delivery::ErrorKind;

TEST_CASE("counts per event type and overall, and accounting") {
  RunStats stats;
  for (int i = 0; i < 3; ++i) stats.on_planned("start");
  for (int i = 0; i < 2; ++i) stats.on_planned("end");
  CHECK(stats.unaccounted() == 5);

  stats.on_attempt(attempt("start", "c1", 200, 1000));
  stats.on_final(final_event("start", "c1", 0, Final::Delivered));
  stats.on_attempt(attempt("start", "c2", 503, 2000));
  stats.on_attempt(attempt("start", "c2", 503, 2000, 0, 2));
  stats.on_final(final_event("start", "c2", 1, Final::Failed, "status 503 after 2 attempts"));
  stats.on_final(final_event("start", "c3", 2, Final::Dropped, "", {"drop"}));
  AttemptEvent slow = attempt("end", "c1", 200, 15000000);
  slow.too_slow = true;
  slow.will_retry = true;
  stats.on_attempt(slow);
  stats.on_attempt(attempt("end", "c1", 200, 1000, 0, 2));
  FinalEvent late = final_event("end", "c1", 3, Final::Delivered);
  late.out_of_order = true;
  stats.on_final(late);

  const Counts& totals = stats.totals();
  CHECK(totals.planned == 5);
  CHECK(totals.sent == 5);
  CHECK(totals.delivered == 2);
  CHECK(totals.failed == 1);
  CHECK(totals.dropped == 1);
  CHECK(totals.retried == 2);
  CHECK(totals.too_slow == 1);
  CHECK(totals.out_of_order == 1);
  CHECK(stats.unaccounted() == 1);
  CHECK_FALSE(totals.accounted());

  stats.on_final(final_event("end", "c2", 4, Final::Delivered));
  CHECK(stats.unaccounted() == 0);
  CHECK(totals.accounted());

  REQUIRE(stats.events().size() == 2);
  const EventStats& start = stats.events()[0];  // first seen first
  CHECK(start.name == "start");
  CHECK(start.counts.planned == 3);
  CHECK(start.counts.sent == 3);
  CHECK(start.counts.retried == 1);
  CHECK(start.counts.delivered == 1);
  CHECK(start.counts.failed == 1);
  CHECK(start.counts.dropped == 1);
  CHECK(start.counts.accounted());
  const EventStats& end = stats.events()[1];
  CHECK(end.name == "end");
  CHECK(end.counts.too_slow == 1);
  CHECK(end.counts.out_of_order == 1);
  CHECK(end.latency.max() == 15000000);
}

TEST_CASE("more endings than plans are not accounted either") {
  RunStats stats;
  stats.on_planned("start");
  stats.on_final(final_event("start", "c1", 0, Final::Delivered));
  stats.on_final(final_event("start", "c1", 0, Final::Delivered));
  CHECK(stats.unaccounted() == -1);
}

TEST_CASE("latency counts answers and timeouts, not refused connections") {
  RunStats stats;
  stats.on_attempt(attempt("e", "c", 200, 3000));
  stats.on_attempt(attempt("e", "c", 500, 5000));
  stats.on_attempt(transport_error("e", "c", ErrorKind::Timeout, 10000000));
  stats.on_attempt(transport_error("e", "c", ErrorKind::Connect, 10));
  stats.on_attempt(transport_error("e", "c", ErrorKind::Closed, 20));
  CHECK(stats.latency().count() == 3);
  CHECK(stats.latency().min() == 3000);
  CHECK(stats.latency().max() == 10000000);
  CHECK(stats.lateness().count() == 5);
}

TEST_CASE("errors by kind, status class and exact status") {
  RunStats stats;
  const std::vector<std::pair<int, ErrorKind>> attempts = {
      {503, ErrorKind::None}, {503, ErrorKind::None},  {500, ErrorKind::None},  {404, ErrorKind::None},
      {429, ErrorKind::None}, {0, ErrorKind::Timeout}, {0, ErrorKind::Connect}, {0, ErrorKind::Connect},
      {200, ErrorKind::None}, {204, ErrorKind::None},  {301, ErrorKind::None},  {0, ErrorKind::Tls}};
  for (const auto& [status, error] : attempts) {
    AttemptEvent a = attempt("e", "c", status, 100);
    a.error = error;
    stats.on_attempt(a);
  }
  // Exact statuses only: a class total beside its statuses would read as more errors.
  const std::vector<std::pair<std::string, std::int64_t>> expected = {{"connect", 2},  {"timeout", 1},  {"tls", 1},
                                                                      {"http_301", 1}, {"http_404", 1}, {"http_429", 1},
                                                                      {"http_500", 1}, {"http_503", 2}};
  CHECK(stats.errors() == expected);
  CHECK(stats.error_total() == 10);
  // Per second, by kind.
  const auto& errors = stats.throughput()[0].errors;
  CHECK(errors[static_cast<std::size_t>(AttemptError::Connect)] == 2);
  CHECK(errors[static_cast<std::size_t>(AttemptError::Http4xx)] == 2);
  CHECK(errors[static_cast<std::size_t>(AttemptError::Http5xx)] == 3);
  CHECK(errors[static_cast<std::size_t>(AttemptError::OtherStatus)] == 1);
}

TEST_CASE("faults fired are counted by name") {
  RunStats stats;
  stats.on_final(final_event("e", "c", 0, Final::Delivered, "", {"delay:120ms", "duplicate"}));
  stats.on_final(final_event("e", "c", 1, Final::Delivered, "", {"duplicate", "reorder"}));
  stats.on_final(final_event("e", "c", 2, Final::Dropped, "", {"drop"}));
  stats.on_final(final_event("e", "c", 3, Final::Delivered, "", {"bad_signature", "stale_timestamp=600000ms"}));
  const std::map<std::string, std::int64_t> expected = {{"bad_signature", 1}, {"delay", 1},   {"drop", 1},
                                                        {"duplicate", 2},     {"reorder", 1}, {"stale_timestamp", 1}};
  CHECK(stats.faults() == expected);
}

TEST_CASE("throughput per wall second grows with seconds, not requests") {
  RunStats stats;
  // sent at, latency, status
  const std::vector<std::tuple<std::int64_t, std::int64_t, int>> attempts = {
      {500000, 100000, 200},   // second 0, answered in 0
      {1200000, 900000, 200},  // second 1, answered in 2
      {1300000, 1000, 503},    // second 1, not delivered
      {3000000, 1000, 204},    // second 3
  };
  for (const auto& [sent_at, latency, status] : attempts) stats.on_attempt(attempt("e", "c", status, latency, sent_at));
  const std::vector<Second>& seconds = stats.throughput();
  REQUIRE(seconds.size() == 4);
  const std::vector<std::pair<std::int64_t, std::int64_t>> expected = {{1, 1}, {2, 0}, {0, 1}, {1, 1}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("second " << i);
    CHECK(seconds[i].sent == expected[i].first);
    CHECK(seconds[i].delivered == expected[i].second);
  }
  CHECK(stats.peak_sent_per_s() == 2);
  // Last answer at 3.001 s: the means are over that real span.
  CHECK(stats.span_s() == Approx(3.001));
  CHECK(stats.mean_sent_per_s() == Approx(4 / 3.001));
  CHECK(stats.mean_delivered_per_s() == Approx(3 / 3.001));
  CHECK(stats.peak_delivered_per_s() == 1);

  for (int i = 0; i < 1000; ++i) stats.on_attempt(attempt("e", "c", 200, 10, 3500000));
  CHECK(stats.throughput().size() == 4);
}

TEST_CASE("a 2xx after the vendor's timeout is not a completed delivery") {
  RunStats stats;
  AttemptEvent slow = attempt("e", "c", 200, 12000000);
  slow.too_slow = true;
  stats.on_attempt(slow);
  REQUIRE(stats.throughput().size() == 1);
  CHECK(stats.throughput()[0].sent == 1);
  CHECK(stats.throughput()[0].delivered == 0);
  CHECK(stats.throughput()[0].errors[static_cast<std::size_t>(AttemptError::TooSlow)] == 1);
}

TEST_CASE("findings and probes are capped lists with full counts") {
  RunStats::Options options;
  options.max_findings = 3;
  options.max_probes = 2;
  RunStats stats(options);
  for (int i = 0; i < 5; ++i) {
    stats.on_finding({"c" + std::to_string(i), "session_start", "bad JSON " + std::to_string(i)});
  }
  CHECK(stats.findings().size() == 3);
  CHECK(stats.findings_total() == 5);
  CHECK(stats.findings()[2].message == "bad JSON 2");

  stats.on_probe(testing::probe("c1", "http://x/calls/c1", true, ""));
  stats.on_probe(testing::probe("c2", "http://x/calls/c2", false, "/status: expected \"ended\", got \"active\""));
  stats.on_probe(testing::probe("c3", "http://x/calls/c3", false, "timeout"));
  CHECK(stats.probes().size() == 2);
  CHECK(stats.probes_total() == 3);
  CHECK(stats.probe_failures() == 2);
}

TEST_CASE("calls keep their failures, in the order they were first seen") {
  RunStats stats;
  stats.on_final(final_event("start", "b", 0, Final::Delivered));
  stats.on_final(final_event("start", "a", 1, Final::Failed, "status 503 after 3 attempts"));
  stats.on_final(final_event("end", "b", 2, Final::Dropped, "", {"drop"}));
  stats.on_finding({"b", "session_start", "webhook_config is not an object"});
  stats.on_probe(testing::probe("c", "http://x/calls/c", false, "/status: expected \"ended\""));
  stats.on_probe(testing::probe("d", "http://x/calls/d", true, ""));

  const std::deque<CallOutcome>& calls = stats.calls();
  REQUIRE(calls.size() == 4);
  CHECK(calls[0].call_id == "b");
  CHECK(calls[0].failures == std::vector<std::string>{"finding (session_start): webhook_config is not an object"});
  CHECK(calls[1].call_id == "a");
  CHECK(calls[1].failures == std::vector<std::string>{"delivery #1 start: status 503 after 3 attempts"});
  CHECK(calls[2].call_id == "c");
  CHECK(calls[2].failures == std::vector<std::string>{"probe http://x/calls/c: /status: expected \"ended\""});
  CHECK(calls[3].call_id == "d");
  CHECK(calls[3].failure_count == 0);
}

TEST_CASE("a call keeps a bounded number of failure reasons") {
  RunStats stats;
  const std::size_t total = RunStats::k_max_call_failures + 5;
  for (std::size_t i = 0; i < total; ++i) stats.on_final(final_event("t", "a", i, Final::Failed, "timeout"));
  REQUIRE(stats.calls().size() == 1);
  CHECK(stats.calls()[0].failures.size() == RunStats::k_max_call_failures);
  CHECK(stats.calls()[0].failure_count == static_cast<std::int64_t>(total));
}

TEST_CASE("without keep_call_ids only failing calls are kept") {
  RunStats::Options options;
  options.keep_call_ids = false;
  RunStats stats(options);
  for (int i = 0; i < 100; ++i) {
    const std::string id = "call-" + std::to_string(i);
    stats.on_final(
        final_event("e", id, static_cast<std::uint64_t>(i), i % 10 == 0 ? Final::Failed : Final::Delivered, "timeout"));
  }
  REQUIRE(stats.calls().size() == 10);
  for (const CallOutcome& call : stats.calls()) CHECK(call.failure_count == 1);
  CHECK(stats.failures_not_kept() == 0);
}

TEST_CASE("live numbers for the progress line") {
  RunStats stats;
  stats.on_call_started();
  stats.on_call_started();
  stats.on_call_ended();
  for (int i = 0; i < 4; ++i) stats.on_planned("e");
  for (int i = 1; i <= 100; ++i) stats.on_attempt(attempt("e", "c", 200, i * 1000));
  stats.on_final(final_event("e", "c", 0, Final::Delivered));
  stats.on_final(final_event("e", "c", 1, Final::Failed, "timeout"));
  stats.on_final(final_event("e", "c", 2, Final::Dropped));

  const RunStats::Live live = stats.live();
  CHECK(live.active_calls == 1);
  CHECK(live.sent == 100);
  CHECK(live.delivered == 1);
  CHECK(live.failed == 1);
  CHECK(live.dropped == 1);
  CHECK(live.in_flight_hint == 1);
  CHECK(live.p99_latency_ms == Approx(99.0).epsilon(0.01));

  // 1% more samples (at 1 s each) move the cached p99.
  stats.on_attempt(attempt("e", "c", 200, 1000000));
  stats.on_attempt(attempt("e", "c", 200, 1000000));
  CHECK(stats.live().p99_latency_ms > 500);
}

TEST_CASE("run stats move without losing the call index") {
  RunStats stats;
  stats.on_final(final_event("e", "a-call-id-longer-than-sso", 0, Final::Delivered));
  RunStats moved(std::move(stats));
  moved.on_final(final_event("e", "a-call-id-longer-than-sso", 1, Final::Failed, "timeout"));
  REQUIRE(moved.calls().size() == 1);
  CHECK(moved.calls()[0].failure_count == 1);
}

TEST_CASE("a run shorter than a second: the rate is over its real span, and the peak never below the mean") {
  RunStats stats;
  for (int i = 0; i < 128; ++i) stats.on_attempt(attempt("e", "c", 200, 1000, i * 2000));  // the last answer at 0.255 s
  CHECK(stats.mean_sent_per_s() == Approx(128 / 0.255));
  CHECK(stats.peak_sent_per_s() == 502);
  // 84 attempts in 10 ms read as about 8,400/s, not 84/s.
  RunStats short_run;
  for (int i = 0; i < 84; ++i) short_run.on_attempt(attempt("e", "c", 200, 100, i * 118));
  CHECK(short_run.mean_sent_per_s() == Approx(84 / 0.009894));
  CHECK(short_run.peak_sent_per_s() > 8000);
}

TEST_CASE("per second: planned sends, retries, latency and faults") {
  RunStats stats;
  AttemptEvent late = attempt("e", "A", 200, 2000, 1200000);
  late.lateness_us = 400000;  // planned at 0.8 s, sent at 1.2 s
  stats.on_attempt(late);
  stats.on_attempt(attempt("e", "A", 200, 4000, 1300000, 2));
  stats.on_final(final_event("e", "A", 0, Final::Delivered, "", {"duplicate", "delay:5ms"}));
  const auto& seconds = stats.throughput();
  REQUIRE(seconds.size() == 2);
  CHECK(seconds[0].planned == 1);
  CHECK(seconds[1].planned == 0);
  CHECK(seconds[1].retries == 1);
  CHECK(seconds[1].latency.count() == 2);
  CHECK(seconds[1].latency.percentile(99) == Approx(4000).epsilon(0.05));
  // Faults are timed at the latest attempt seen.
  REQUIRE(seconds[1].faults.size() == 2);
  CHECK(stats.fault_names()[seconds[1].faults[0].first] == "duplicate");
  CHECK(seconds[1].faults[0].second == 1);
}
