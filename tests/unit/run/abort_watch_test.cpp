// The expectations with "abort": true, checked across lanes while a run runs.
#include <catch2/catch.hpp>

#include "run/abort_watch.hpp"

using callhook::report::AttemptEvent;
using callhook::report::Final;
using callhook::report::FinalEvent;
using callhook::report::RunStats;
using callhook::run::AbortWatch;
using callhook::scenario::Scenario;

namespace {

void fail_one(RunStats& stats, std::uint64_t delivery) {
  stats.on_planned("e");
  AttemptEvent attempt;
  attempt.event = "e";
  attempt.status = 500;
  attempt.latency_us = 1000;
  stats.on_attempt(attempt);
  FinalEvent final_event;
  final_event.event = "e";
  final_event.delivery = delivery;
  final_event.result = Final::Failed;
  final_event.attempts = 1;
  stats.on_final(final_event);
}

}  // namespace

TEST_CASE("an abort watch sums a count over the lanes and raises its flag once over the limit", "[abort]") {
  Scenario scenario;
  scenario.expect = {{"failed", 2}, {"dropped", 0}};
  scenario.abort_on = {"failed"};
  AbortWatch watch(scenario, 2);
  REQUIRE(watch.active());
  RunStats lane0, lane1;
  fail_one(lane0, 0);
  fail_one(lane1, 1);
  watch.update(0, lane0);
  watch.update(1, lane1);
  CHECK(watch.flag().load() == 0);  // 2 failed: at the limit, still met
  CHECK(watch.broken().empty());
  fail_one(lane1, 2);
  watch.update(1, lane1);
  CHECK(watch.flag().load() == 1);
  CHECK(watch.broken() == "failed");
}

TEST_CASE("an abort watch takes the slowest lane's max latency, not the sum", "[abort]") {
  Scenario scenario;
  scenario.expect = {{"max_latency_ms", 1.5}};
  scenario.abort_on = {"max_latency_ms"};
  AbortWatch watch(scenario, 2);
  RunStats lane0, lane1;
  fail_one(lane0, 0);  // 1 ms each: 2 ms summed, 1 ms slowest
  fail_one(lane1, 1);
  watch.update(0, lane0);
  watch.update(1, lane1);
  CHECK(watch.flag().load() == 0);
}

TEST_CASE("an abort watch without \"abort\" rules is inactive and never fires", "[abort]") {
  Scenario scenario;
  scenario.expect = {{"failed", 0}};
  AbortWatch watch(scenario, 1);
  CHECK_FALSE(watch.active());
  RunStats stats;
  fail_one(stats, 0);
  watch.update(0, stats);
  CHECK(watch.flag().load() == 0);
}
