#include <catch2/catch.hpp>

#include "report/plan_estimate.hpp"

using namespace callhook::report;
using callhook::scenario::Scenario;
using callhook::scenario::Stream;

namespace {

Stream stream_of(std::optional<std::int64_t> count, double rate, double duration_s) {
  Stream s;
  s.vendor = "voiceflow";
  s.calls.count = count;
  s.calls.arrival.rate_per_s = rate;
  s.calls.duration_s = callhook::scenario::Distribution::fixed(duration_s);
  return s;
}

}  // namespace

TEST_CASE("plan estimate: total calls when every stream counts them, and the virtual span") {
  Scenario scenario;
  scenario.streams = {stream_of(100, 2, 60), stream_of(10, 1, 30)};
  const PlanEstimate estimate = estimate_plan(scenario);
  CHECK(estimate.total_calls == 110);
  CHECK(estimate.virtual_span_s == Approx(110));  // the last call of the first stream starts at 50 s

  scenario.streams.push_back(stream_of(std::nullopt, 1, 30));
  scenario.streams.back().calls.for_s = 600;
  const PlanEstimate open_ended = estimate_plan(scenario);
  CHECK(open_ended.total_calls == -1);
  CHECK(open_ended.virtual_span_s == Approx(630));
}
