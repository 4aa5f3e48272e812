// EngineOptions::stop: an interrupted run sends nothing new, waits for the
// requests in flight up to the grace period, and cancels the rest, so every
// planned delivery still ends exactly once.
#include <catch2/catch.hpp>

#include <atomic>

#include "delivery/fake_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "report/run_stats.hpp"
#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;

namespace {

engine::RunPlan plan_of(const std::string& text) {
  auto loaded = scenario::parse_scenario(text, "test.json", vendors::catalog());
  INFO(loaded.problems.format("test.json"));
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                "http://127.0.0.1:9/recordings", problems);
  REQUIRE(plan);
  return std::move(*plan);
}

// Raises *stop to `level` when the n-th request is submitted; answers 200
// after latency_us.
struct StopAt {
  std::atomic<int>* stop;
  std::size_t n;
  int level;
  std::int64_t latency_us;
  std::size_t seen = 0;
  delivery::FakeReply operator()(const delivery::HttpRequest&) {
    if (++seen == n) stop->store(level);
    delivery::FakeReply reply;
    reply.latency_us = latency_us;
    return reply;
  }
};

struct Outcome {
  engine::RunOutcome run;
  report::Counts totals;
  std::size_t requests = 0;
};

Outcome run_until_stopped(const engine::RunPlan& plan, int level, std::size_t n, std::int64_t latency_us,
                          std::int64_t grace_ms) {
  util::ManualClock clock;
  std::atomic<int> stop{0};
  auto responder = std::make_shared<StopAt>(StopAt{&stop, n, level, latency_us});
  delivery::FakeTransport transport(clock, [responder](const delivery::HttpRequest& r) { return (*responder)(r); });
  report::RunStats stats;
  engine::EngineOptions options;
  options.speed = plan.scenario.speed;
  options.concurrency = 4;
  options.stop = &stop;
  options.grace_ms = grace_ms;
  engine::Engine engine(plan, transport, clock, stats, nullptr, options);
  Outcome out;
  out.run = engine.run();
  out.totals = stats.totals();
  out.requests = transport.requests().size();
  return out;
}

const std::string k_voiceflow = R"({"speed": "max", "streams": [{"vendor": "voiceflow", "calls": {"count": 20}}]})";

}  // namespace

TEST_CASE("stop 1: nothing new is sent, requests in flight finish within the grace period", "[engine][stop]") {
  const auto plan = plan_of(k_voiceflow);
  const Outcome out = run_until_stopped(plan, 1, 10, 1000, 5000);
  CHECK(out.run.interrupted);
  CHECK(out.requests == 10);          // the tenth raised the stop: no eleventh
  CHECK(out.totals.delivered == 10);  // all in flight answered within the grace period
  CHECK(out.totals.cancelled > 0);
  CHECK(out.totals.accounted());
}

TEST_CASE("stop 1: what is still in flight when the grace period ends is cancelled", "[engine][stop]") {
  const auto plan = plan_of(k_voiceflow);
  const Outcome out = run_until_stopped(plan, 1, 3, 10'000'000, 2000);
  CHECK(out.run.interrupted);
  CHECK(out.requests == 3);
  CHECK(out.totals.sent == 0);  // no answer came back
  CHECK(out.totals.delivered == 0);
  CHECK(out.totals.cancelled == out.totals.planned);
  CHECK(out.totals.accounted());
}

TEST_CASE("stop 2: everything not final is cancelled at once, grace or not", "[engine][stop]") {
  const auto plan = plan_of(k_voiceflow);
  const Outcome out = run_until_stopped(plan, 2, 3, 1000, 60000);
  CHECK(out.run.interrupted);
  CHECK(out.requests == 3);
  CHECK(out.totals.delivered == 0);
  CHECK(out.totals.cancelled == out.totals.planned);
  CHECK(out.totals.accounted());
}

TEST_CASE("stop: a handshake answered in the grace period does not resume its session", "[engine][stop]") {
  const auto plan = plan_of(R"({"speed": "max", "streams": [{"vendor": "voicebot", "calls": {"count": 1}}]})");
  const Outcome out = run_until_stopped(plan, 1, 1, 1000, 5000);
  CHECK(out.run.interrupted);
  CHECK(out.requests == 1);
  CHECK(out.totals.planned == 1);  // only session_start: nothing after the handshake was planned
  CHECK(out.totals.delivered == 1);
  CHECK(out.totals.accounted());
}

TEST_CASE("without a stop the run is not interrupted", "[engine][stop]") {
  const auto plan = plan_of(k_voiceflow);
  const Outcome out = run_until_stopped(plan, 0, 1, 1000, 2000);
  CHECK_FALSE(out.run.interrupted);
  CHECK(out.totals.cancelled == 0);
  CHECK(out.totals.delivered == out.totals.planned);
}
