#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "report/expectations.hpp"
#include "report_fixtures.hpp"

using namespace callhook::report;
using namespace callhook::report::testing;
using callhook::delivery::ErrorKind;

namespace {

// 10 planned: 8 delivered (2 of them retried, 1 out of order), 1 failed,
// 1 dropped; 1 too-slow answer; 2 findings; 1 failed probe of 2.
// Latencies 1..10 ms plus one 2 s answer, over 2 seconds of wall time.
void fill(RunStats& stats) {
  for (int i = 0; i < 10; ++i) stats.on_planned("e");
  for (int i = 1; i <= 10; ++i) {
    AttemptEvent a = attempt("e", "c" + std::to_string(i), 200, i * 1000, 100000 * i);
    a.lateness_us = i * 500;
    stats.on_attempt(a);
  }
  stats.on_attempt(attempt("e", "c1", 200, 1000, 1000000, 2));
  AttemptEvent slow = attempt("e", "c2", 200, 2000000, 0, 2);
  slow.too_slow = true;
  stats.on_attempt(slow);
  for (std::uint64_t i = 0; i < 8; ++i) {
    FinalEvent f = final_event("e", "c" + std::to_string(i), i, Final::Delivered);
    f.out_of_order = i == 3;
    stats.on_final(f);
  }
  stats.on_final(final_event("e", "c8", 8, Final::Failed, "timeout"));
  stats.on_final(final_event("e", "c9", 9, Final::Dropped, "", {"drop"}));
  stats.on_finding({"c1", "e", "x"});
  stats.on_finding({"c2", "e", "y"});
  stats.on_probe(testing::probe("c1", "u", true, ""));
  stats.on_probe(testing::probe("c2", "u", false, "m"));
}

struct Row {
  std::string name;
  double limit;
  double actual;
  bool met;
  std::string text;
};

}  // namespace

TEST_CASE("expectations: upper limits, lower limits and unknown names") {
  RunStats stats;
  fill(stats);
  const std::vector<Row> table = {
      {"failed", 0, 1, false, "failed 1 > 0"},
      {"failed", 1, 1, true, "failed 1 <= 1"},
      {"dropped", 1, 1, true, "dropped 1 <= 1"},
      {"retried", 1, 2, false, "retried 2 > 1"},
      {"out_of_order", 0, 1, false, "out_of_order 1 > 0"},
      {"findings", 2, 2, true, "findings 2 <= 2"},
      {"probe_failures", 0, 1, false, "probe_failures 1 > 0"},
      {"too_slow", 0, 1, false, "too_slow 1 > 0"},
      {"max_latency_ms", 2000, 2000, true, "max_latency_ms 2000 <= 2000"},
      {"max_latency_ms", 1999.5, 2000, false, "max_latency_ms 2000 > 1999.5"},
      // Percentiles come from the histogram (within 1%), so only the
      // relation of their text is fixed; p99 here is the exact maximum.
      {"p50_latency_ms", 6, 5, true, " <= 6"},
      {"p90_latency_ms", 9, 10, false, " > 9"},
      {"p99_latency_ms", 2500, 2000, true, "p99_latency_ms 2000 <= 2500"},
      {"p99_lateness_ms", 6, 5, true, " <= 6"},
      {"p99_lateness_ms", 4, 5, false, " > 4"},
      {"delivered", 8, 8, true, "delivered 8 >= 8"},
      {"delivered", 9, 8, false, "delivered 8 < 9"},
      {"planned", 10, 10, true, "planned 10 >= 10"},
      {"min_delivered_ratio", 0.8, 0.8, true, "min_delivered_ratio 0.8 >= 0.8"},
      {"min_delivered_ratio", 0.95, 0.8, false, "min_delivered_ratio 0.8 < 0.95"},
      // 12 attempts, the last answer at 2 s.
      {"min_throughput_per_s", 6, 6, true, "min_throughput_per_s 6 >= 6"},
      {"min_throughput_per_s", 100, 6, false, "min_throughput_per_s 6 < 100"},
      {"p95_latency_ms", 1, 0, false, "p95_latency_ms: unknown expectation"},
  };
  callhook::scenario::Expectations expectations;
  for (const Row& row : table) expectations.emplace_back(row.name, row.limit);
  const std::vector<ExpectationResult> results = check_expectations(expectations, stats);
  REQUIRE(results.size() == table.size());
  for (std::size_t i = 0; i < table.size(); ++i) {
    INFO(table[i].name << " limit " << table[i].limit);
    CHECK(results[i].name == table[i].name);
    CHECK(results[i].limit == table[i].limit);
    CHECK(results[i].actual == Approx(table[i].actual).epsilon(0.01));
    CHECK(results[i].met == table[i].met);
    if (table[i].text.front() == ' ') {
      CHECK_THAT(results[i].text, Catch::StartsWith(table[i].name + " ") && Catch::EndsWith(table[i].text));
    } else {
      CHECK(results[i].text == table[i].text);
    }
  }
  CHECK_FALSE(all_met(results));
}

TEST_CASE("expectations that are all met, and none at all") {
  RunStats stats;
  fill(stats);
  const auto results = check_expectations({{"failed", 1}, {"delivered", 1}}, stats);
  CHECK(all_met(results));
  RunStats empty;
  CHECK(all_met(check_expectations({}, empty)));
}

TEST_CASE("a limit missed by less than the shown precision still shows the difference") {
  RunStats stats;
  stats.on_attempt(attempt("e", "c", 200, 2000));
  const auto results = check_expectations({{"max_latency_ms", 1.9999}}, stats);
  REQUIRE(results.size() == 1);
  CHECK_FALSE(results[0].met);
  CHECK(results[0].text == "max_latency_ms 2 > 1.9999");
}

TEST_CASE("expectations on nothing are not met: no data") {
  // Nothing answered (no receiver running): a latency limit proves nothing.
  RunStats stats;
  stats.on_planned("e");
  AttemptEvent refused = attempt("e", "c", 0, 0);
  refused.error = ErrorKind::Connect;
  stats.on_attempt(refused);
  stats.on_final(final_event("e", "c", 0, Final::Failed, "connect: refused"));
  const auto results = check_expectations(
      {{"p99_latency_ms", 1000}, {"max_latency_ms", 1000}, {"failed", 1}, {"p99_lateness_ms", 10}}, stats);
  REQUIRE(results.size() == 4);
  CHECK_FALSE(results[0].met);
  CHECK(results[0].no_data);
  CHECK(results[0].text == "p99_latency_ms: no data (no answered attempts)");
  CHECK_FALSE(results[1].met);
  CHECK(results[2].met);  // a count of 1 is data
  CHECK_FALSE(results[2].no_data);
  CHECK(results[3].met);  // the refused attempt was sent, on time
  CHECK_FALSE(all_met(results));

  RunStats empty;
  const auto nothing = check_expectations({{"min_delivered_ratio", 1}, {"min_throughput_per_s", 0}}, empty);
  REQUIRE(nothing.size() == 2);
  CHECK_FALSE(nothing[0].met);
  CHECK(nothing[0].text == "min_delivered_ratio: no data (nothing planned)");
  CHECK_FALSE(nothing[1].met);
  CHECK(nothing[1].text == "min_throughput_per_s: no data (no attempts sent)");
}

TEST_CASE("expectations: accepted bad signatures and stale timestamps fail the run unless the scenario allows them") {
  RunStats stats;
  stats.on_planned("e");
  FinalEvent f = final_event("e", "c1", 0, Final::Delivered, "", {"bad_signature"});
  stats.on_final(f);
  CHECK(stats.totals().accepted_bad_signature == 1);
  const auto implied = check_expectations({}, stats);
  REQUIRE(implied.size() == 1);
  CHECK(implied[0].name == "accepted_bad_signature");
  CHECK_FALSE(implied[0].met);
  CHECK_FALSE(all_met(implied));
  const auto allowed = check_expectations({{"accepted_bad_signature", 1}}, stats);
  REQUIRE(allowed.size() == 1);
  CHECK(allowed[0].met);

  RunStats clean;
  clean.on_planned("e");
  clean.on_final(final_event("e", "c1", 0, Final::Rejected, "refused as expected", {"stale_timestamp"}));
  CHECK(clean.totals().rejected_as_expected == 1);
  CHECK(clean.totals().accepted_stale_timestamp == 0);
  CHECK(check_expectations({}, clean).empty());
  const auto at_least = check_expectations({{"rejected_as_expected", 1}}, clean);
  REQUIRE(at_least.size() == 1);
  CHECK(at_least[0].met);
}

TEST_CASE("expectations: a scenario that names none expects no failed delivery") {
  RunStats stats;
  stats.on_planned("e");
  stats.on_planned("e");
  stats.on_final(final_event("e", "c1", 0, Final::Delivered));
  stats.on_final(final_event("e", "c2", 1, Final::Failed, "timeout"));
  const auto implied = check_expectations({}, stats);
  REQUIRE(implied.size() == 1);
  CHECK(implied[0].name == "failed");
  CHECK(implied[0].text == "failed 1 > 0");
  CHECK_FALSE(all_met(implied));
  // A probe's implied limit is not an expectation of the scenario's own.
  const auto probed = check_expectations({{"probe_failures", 0}}, stats);
  REQUIRE(probed.size() == 2);
  CHECK(probed[1].name == "failed");
  // A scenario that says anything about the run has said what it expects.
  const auto said = check_expectations({{"delivered", 1}}, stats);
  REQUIRE(said.size() == 1);
  CHECK(all_met(said));

  RunStats clean;
  clean.on_planned("e");
  clean.on_final(final_event("e", "c1", 0, Final::Delivered));
  CHECK(check_expectations({}, clean).empty());
}
