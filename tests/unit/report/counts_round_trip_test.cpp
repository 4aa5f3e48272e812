// Every count of Counts and of a second, and every probe field the JSON
// report keeps, each set to a distinct non-zero value, survives RunStats ->
// JSON report -> ReportReader: a count left out of the table (or written
// under one key and read under another) comes back 0 and the test fails.
#include <catch2/catch.hpp>

#include "../journal/record_fixtures.hpp"
#include "report/json_report.hpp"
#include "report/report_reader.hpp"

using namespace callhook::report;
using callhook::journal::testing::full_probe;

namespace {

Counts full_counts(std::int64_t base) {
  Counts c;
  c.planned = base + 1;
  c.sent = base + 2;
  c.delivered = base + 3;
  c.failed = base + 4;
  c.dropped = base + 5;
  c.cancelled = base + 6;
  c.retried = base + 7;
  c.too_slow = base + 8;
  c.out_of_order = base + 9;
  c.rejected_as_expected = base + 10;
  c.accepted_bad_signature = base + 11;
  c.accepted_stale_timestamp = base + 12;
  c.retry_after_clamped = base + 13;
  return c;
}

Second full_second() {
  Second s;
  s.planned = 21;
  s.sent = 22;
  s.delivered = 23;
  s.retries = 24;
  s.rejected = 25;
  return s;
}

}  // namespace

TEST_CASE("counts: every count survives the JSON report and its reader") {
  RunStats::Parts parts;
  parts.totals = full_counts(0);
  EventStats event;
  event.name = "runtime.call.start";
  event.counts = full_counts(100);
  parts.events.push_back(event);
  parts.seconds = {Second{}, full_second()};
  parts.span_us = 2000000;
  parts.probes = {full_probe()};  // its answer is left out of the JSON report
  parts.probes_total = 1;
  const RunStats stats(RunStats::Options{}, std::move(parts));
  RunInfo info;
  info.scenario_name = "counts";
  info.started_at = "2026-01-01T00:00:00.000Z";

  const ReadReport back = ReportReader::read_text(to_json(stats, info).dump(), "report.json");
  CHECK(back.stats.totals() == full_counts(0));
  REQUIRE(back.stats.events().size() == 1);
  CHECK(back.stats.events()[0].counts == full_counts(100));
  REQUIRE(back.stats.throughput().size() == 2);
  const Second& second = back.stats.throughput()[1];
  const Second want = full_second();
  CHECK(second.planned == want.planned);
  CHECK(second.sent == want.sent);
  CHECK(second.delivered == want.delivered);
  CHECK(second.retries == want.retries);
  CHECK(second.rejected == want.rejected);
  REQUIRE(back.stats.probes().size() == 1);
  ProbeResult without_answer = full_probe();
  without_answer.answer.clear();
  CHECK(back.stats.probes()[0] == without_answer);
}

TEST_CASE("counts: add and merge sum every count") {
  Counts sum = full_counts(0);
  sum.add(full_counts(1000));
  Counts want;
  const Counts a_counts = full_counts(0), b_counts = full_counts(1000);
  for_each_count([](CountField, std::int64_t& w, const std::int64_t& x, const std::int64_t& y) { w = x + y; }, want,
                 a_counts, b_counts);
  CHECK(sum == want);
  CHECK(sum.planned == 1001 + 1);
  CHECK(sum.accepted_stale_timestamp == 1012 + 12);

  RunStats::Parts a, b;
  a.totals = full_counts(0);
  a.seconds = {full_second()};
  b.totals = full_counts(1000);
  b.seconds = {full_second()};
  RunStats merged(RunStats::Options{}, std::move(a));
  merged.merge(RunStats(RunStats::Options{}, std::move(b)));
  CHECK(merged.totals() == want);
  REQUIRE(merged.throughput().size() == 1);
  CHECK(merged.throughput()[0].rejected == 50);
  CHECK(merged.throughput()[0].retries == 48);
}

TEST_CASE("counts: the accounting identity counts deliveries rejected as expected") {
  Counts c;
  c.planned = 10;
  c.delivered = 4;
  c.rejected_as_expected = 3;
  c.failed = 1;
  c.dropped = 1;
  c.cancelled = 1;
  CHECK(c.accounted());
  c.rejected_as_expected = 2;
  CHECK_FALSE(c.accounted());
  CHECK(c.unaccounted() == 1);
}
