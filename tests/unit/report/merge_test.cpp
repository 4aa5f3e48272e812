// The report model across parts of one run: RunStats::merge (lanes of
// run --threads), a JSON report read back (ReportReader), and the shards'
// reports joined (merge_reports).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "report/json_report.hpp"
#include "report/merge_reports.hpp"
#include "report/report_reader.hpp"
#include "report_fixtures.hpp"

using namespace callhook::report;
using namespace callhook::report::testing;
using nlohmann::ordered_json;

namespace {

// One call's deliveries as the engine would report them: a start answered
// 200 (delayed by a fault), an end answered 503 then 200, a dropped recording.
void feed_call(RunStats& stats, const std::string& call, std::int64_t at_us, std::int64_t latency_us) {
  for (const char* event : {"call.start", "call.end", "call.recording"}) stats.on_planned(event);
  stats.on_call_started();
  stats.on_attempt(attempt("call.start", call, 200, latency_us, at_us));
  stats.on_final(final_event("call.start", call, 1, Final::Delivered, {}, {"delay:12ms"}));
  stats.on_attempt(attempt("call.end", call, 503, latency_us * 2, at_us + 1000));
  stats.on_attempt(attempt("call.end", call, 200, latency_us * 3, at_us + 400000, 2));
  stats.on_final(final_event("call.end", call, 2, Final::Delivered));
  stats.on_final(final_event("call.recording", call, 3, Final::Dropped, "drop fault", {"drop"}));
  stats.on_call_ended();
}

void feed_failing_call(RunStats& stats, const std::string& call, std::int64_t at_us) {
  stats.on_planned("call.start");
  AttemptEvent timeout = transport_error("call.start", call, callhook::delivery::ErrorKind::Timeout, 5000000);
  timeout.sent_at_us = at_us;
  stats.on_attempt(timeout);
  stats.on_final(final_event("call.start", call, 1, Final::Failed, "timeout"));
  stats.on_finding({call, "call.start", "the answer is not JSON"});
}

RunInfo info_of(std::uint64_t index, std::uint64_t count, const std::string& started_at) {
  RunInfo info;
  info.scenario_name = "merge-test";
  info.seed = 7;
  info.shard_index = index;
  info.shard_count = count;
  info.started_at = started_at;
  info.targets = {"http://127.0.0.1:3000/hooks"};
  info.exit_code = 0;
  info.duration_s = 3.5;
  return info;
}

// The parts of a report that measure the run (not who ran it or when), in
// any key order (events read back from a report come in name order).
nlohmann::json measurements(const ordered_json& report) {
  nlohmann::json out;
  for (const char* key : {"totals", "accounting", "events", "latency_ms", "lateness_ms", "throughput", "errors",
                          "faults", "findings", "probes"})
    out[key] = nlohmann::json::parse(report.at(key).dump());
  return out;
}

}  // namespace

TEST_CASE("RunStats merged from two lanes equal one RunStats fed every event") {
  RunStats one, lane_a, lane_b;
  for (int i = 0; i < 40; ++i) {
    const std::string call = "call-" + std::to_string(i);
    const std::int64_t at = i * 500000;  // each call's attempts end before the next call's begin
    feed_call(one, call, at, 150 + i * 37);
    feed_call(i % 2 == 0 ? lane_a : lane_b, call, at, 150 + i * 37);
  }
  feed_failing_call(one, "slow-call", 20500000);
  feed_failing_call(lane_b, "slow-call", 20500000);
  lane_a.merge(lane_b);

  const RunInfo info = info_of(0, 1, "2026-11-30T12:00:00.000Z");
  const nlohmann::json expected = measurements(to_json(one, info));
  REQUIRE(expected.at("totals").at("sent") == 121);
  REQUIRE(expected.at("throughput").at("per_second").size() >= 20);
  CHECK(measurements(to_json(lane_a, info)) == expected);
  CHECK(lane_a.failing_calls() == 1);
  REQUIRE(lane_a.calls().size() == 41);  // every call is kept (for JUnit), each once
  CHECK(lane_a.calls().back().call_id == "slow-call");
  CHECK(lane_a.calls().back().failure_count == 2);  // its timeout and its finding
}

TEST_CASE("merge lines a later part's seconds up with its start") {
  RunStats first, later;
  feed_call(first, "a", 0, 1000);
  feed_call(later, "b", 0, 1000);
  first.merge(later, 2000000);  // started two seconds later
  const auto& seconds = first.throughput();
  REQUIRE(seconds.size() == 3);
  CHECK(seconds[0].sent == 3);
  CHECK(seconds[1].sent == 0);
  CHECK(seconds[2].sent == 3);
  CHECK(seconds[2].latency.count() == 3);
  CHECK(first.span_seconds() == 3);
}

TEST_CASE("a JSON report read back writes the same report") {
  RunStats stats;
  for (int i = 0; i < 25; ++i) feed_call(stats, "call-" + std::to_string(i), i * 130000, 90 + i * 411);
  feed_failing_call(stats, "slow-call", 1200000);
  RunInfo info = info_of(2, 4, "2026-11-30T12:00:01.250Z");
  const std::vector<ExpectationResult> expectations =
      check_expectations({{"failed", 0}, {"p99_latency_ms", 500}}, stats);
  const ordered_json report = to_json(stats, info, expectations);

  const ReadReport back = ReportReader::read_text(report.dump(2), "shard-2.json");
  CHECK(back.info.shard_index == 2);
  CHECK(back.info.shard_count == 4);
  CHECK(back.started_at_ms == 1796040001250);
  REQUIRE(back.expect.size() == 2);
  CHECK(back.expect[1].first == "p99_latency_ms");
  CHECK(back.expect[1].second == 500);
  const ordered_json again = to_json(back.stats, back.info, check_expectations(back.expect, back.stats));
  CHECK(measurements(again) == measurements(report));
  CHECK(again.at("failing_calls") == report.at("failing_calls"));
  CHECK(again.at("expectations") == report.at("expectations"));
}

TEST_CASE("a report that cannot be read back names the file and the pointer") {
  RunStats stats;
  feed_call(stats, "a", 0, 1000);
  const ordered_json good = to_json(stats, info_of(0, 1, "2026-11-30T12:00:00.000Z"));
  const auto error_of = [](const ordered_json& report) {
    try {
      ReportReader::read_text(report.dump(), "r.json");
    } catch (const ReportError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  ordered_json other_version = good;
  other_version["version"] = "9.9.9";
  CHECK_THAT(error_of(other_version), Catch::Contains("r.json: /version: a report of callhook 9.9.9"));
  ordered_json no_buckets = good;
  no_buckets["latency_ms"].erase("exact");
  CHECK_THAT(error_of(no_buckets), Catch::Contains("r.json: /latency_ms/exact: is required"));
  ordered_json wrong_count = good;
  wrong_count["events"]["call.end"]["latency_ms"]["count"] = 5;
  CHECK_THAT(error_of(wrong_count),
             Catch::Contains("r.json: /events/call.end/latency_ms/exact: the buckets hold 2 values"));
  ordered_json bad_bucket = good;
  bad_bucket["latency_ms"]["exact"]["buckets"][0][0] = 1001;
  CHECK_THAT(error_of(bad_bucket), Catch::Contains("/latency_ms/exact: min_us, max_us and the buckets"));
  CHECK_THAT(error_of(ordered_json::array()), Catch::Contains("r.json: /: expected"));
  try {
    ReportReader::read_text("{\"version\": ", "cut.json");
    FAIL("a cut report was read");
  } catch (const ReportError& e) {
    CHECK_THAT(e.what(), Catch::StartsWith("cut.json: "));
  }
}

TEST_CASE("the shards' reports merge into the whole run's numbers") {
  RunStats whole;
  std::vector<RunStats> shards(3);
  for (int i = 0; i < 30; ++i) {
    const std::string call = "call-" + std::to_string(i);
    feed_call(whole, call, i * 500000, 200 + i * 53);
    feed_call(shards[static_cast<std::size_t>(i % 3)], call, i * 500000, 200 + i * 53);
  }
  std::vector<ReadReport> parts;
  std::vector<std::string> sources;
  for (std::uint64_t i = 0; i < 3; ++i) {
    const ordered_json report = to_json(shards[i], info_of(i, 3, "2026-11-30T12:00:00.000Z"));
    sources.push_back("shard-" + std::to_string(i) + ".json");
    parts.push_back(ReportReader::read_text(report.dump(), sources.back()));
  }
  const MergedReport merged = merge_reports(std::move(parts), sources);
  CHECK(merged.info.shard_count == 1);
  CHECK(merged.info.exit_code == -1);
  const RunInfo info = info_of(0, 1, "2026-11-30T12:00:00.000Z");
  CHECK(measurements(to_json(merged.stats, info)) == measurements(to_json(whole, info)));
}

TEST_CASE("reports that are not the shards of one run are refused, naming the culprit") {
  RunStats stats;
  feed_call(stats, "a", 0, 1000);
  const auto part = [&](std::uint64_t index, std::uint64_t count, std::uint64_t seed = 7) {
    RunInfo info = info_of(index, count, "2026-11-30T12:00:00.000Z");
    info.seed = seed;
    return ReportReader::read_text(to_json(stats, info).dump(), "x");
  };
  struct Part {
    std::uint64_t index, count, seed;
    std::string source;
  };
  const auto error_of = [&](const std::vector<Part>& list) {
    std::vector<ReadReport> parts;
    std::vector<std::string> sources;
    for (const Part& p : list) {
      parts.push_back(part(p.index, p.count, p.seed));
      sources.push_back(p.source);
    }
    try {
      merge_reports(std::move(parts), sources);
    } catch (const ReportError& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(error_of({{0, 2, 7, "a.json"}, {1, 2, 7, "b.json"}}) == "no error");
  CHECK_THAT(error_of({{0, 2, 7, "a.json"}, {0, 2, 7, "b.json"}}),
             Catch::Contains("b.json: shard 0/2 again (also a.json)"));
  CHECK_THAT(error_of({{0, 3, 7, "a.json"}, {2, 3, 7, "c.json"}}), Catch::Contains("shard 1/3 is missing"));
  CHECK_THAT(error_of({{0, 2, 7, "a.json"}, {1, 2, 8, "b.json"}}),
             Catch::Contains("b.json: scenario \"merge-test\" seed 8 does not match a.json"));
  CHECK_THAT(error_of({{0, 2, 7, "a.json"}, {1, 3, 7, "b.json"}}),
             Catch::Contains("b.json: shard 1/3 is of 3 shards, a.json of 2"));
}
