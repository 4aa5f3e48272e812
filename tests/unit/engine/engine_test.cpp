// The scheduler on a fake transport and a manual clock.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "delivery/fake_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "report/run_stats.hpp"
#include "scenario/load.hpp"

using namespace callhook;
using nlohmann::json;

namespace {

engine::RunPlan plan_of(const std::string& text) {
  auto loaded = scenario::parse_scenario(text, "test.json", engine::vendor_catalog());
  INFO(loaded.problems.format("test.json"));
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                "http://127.0.0.1:9/recordings", problems);
  INFO(problems.format("test.json"));
  REQUIRE(plan);
  return std::move(*plan);
}

struct Run {
  util::ManualClock clock;
  delivery::FakeTransport transport;
  report::RunStats stats;
  engine::RunOutcome outcome;

  Run(const engine::RunPlan& plan, delivery::Responder responder, std::int64_t concurrency = 64)
      : transport(clock, std::move(responder)) {
    engine::EngineOptions options;
    options.speed = plan.scenario.speed;
    options.concurrency = concurrency;
    engine::Engine engine(plan, transport, clock, stats, nullptr, options);
    outcome = engine.run();
  }
};

delivery::FakeReply ok(const delivery::HttpRequest&) { return {}; }

delivery::FakeReply reply(int status, std::int64_t latency_us = 1000) {
  delivery::FakeReply r;
  r.status = status;
  r.latency_us = latency_us;
  return r;
}

std::string body_type(const delivery::HttpRequest& r) { return json::parse(r.body).at("type"); }

}  // namespace

TEST_CASE("finite speed: each delivery leaves at (due - epoch) / speed", "[engine]") {
  const auto plan = plan_of(R"({"speed": 10, "streams": [{"vendor": "voiceflow",
      "calls": {"count": 3, "arrival": {"rate_per_s": 1}, "duration_s": 10}}]})");
  Run run(plan, ok);
  REQUIRE(run.transport.requests().size() == 12);
  for (std::size_t i = 0; i < run.transport.requests().size(); ++i) {
    const json body = json::parse(run.transport.requests()[i].body);
    const std::int64_t due = body.at("time");  // Voiceflow's event time is the send time
    const std::int64_t expected_wall_us = (due - plan.scenario.epoch_ms) * 1000 / 10;
    CHECK(std::abs(run.transport.submit_times()[i] - expected_wall_us) <= 1000);
  }
  CHECK(run.stats.totals().delivered == 12);
  CHECK(run.outcome.calls == 3);
}

TEST_CASE("retries follow the schedule until a 2xx", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 4, "backoff_ms": [100, 200]}}}]})");
  std::map<std::string, int> seen;
  Run run(plan, [&](const delivery::HttpRequest& r) {
    const int n = ++seen[body_type(r)];
    return reply(n < 3 ? 503 : 200);
  });
  CHECK(run.transport.requests().size() == 12);  // 4 events x 3 attempts
  CHECK(run.stats.totals().delivered == 4);
  CHECK(run.stats.totals().retried == 8);
  CHECK(run.stats.totals().accounted());
}

TEST_CASE("failed after the last attempt; connection errors are data", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 2},
      "delivery": {"retry": {"max_attempts": 2, "backoff_ms": [10]}}}]})");
  Run run(plan, [](const delivery::HttpRequest&) {
    delivery::FakeReply r;
    r.error = delivery::ErrorKind::Connect;
    return r;
  });
  CHECK(run.transport.requests().size() == 16);
  CHECK(run.stats.totals().failed == 8);
  CHECK(run.stats.totals().delivered == 0);
  CHECK(run.stats.totals().accounted());
}

TEST_CASE("a 2xx slower than the vendor's timeout is a failure", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"timeout_ms": 100, "retry": {"max_attempts": 1}}}]})");
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 120000); });
  CHECK(run.stats.totals().too_slow == 4);
  CHECK(run.stats.totals().failed == 4);
}

TEST_CASE("dropped deliveries are never sent and are accounted as dropped", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 5},
      "faults": {"drop": 1}}]})");
  Run run(plan, ok);
  CHECK(run.transport.requests().empty());
  CHECK(run.stats.totals().planned == 20);
  CHECK(run.stats.totals().dropped == 20);
  CHECK(run.stats.totals().accounted());
}

TEST_CASE("strict ordering: one delivery of a session in flight at a time, in planned order", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 4, "arrival": {"rate_per_s": 100}},
      "delivery": {"ordering": "strict"}, "faults": {"delay": {"ms": {"uniform": [0, 100000]}}}}]})");
  // Slow answers would let a session's deliveries overlap if nothing held them.
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 500000); });
  std::map<std::string, std::vector<std::pair<std::int64_t, std::string>>> per_session;
  const auto& requests = run.transport.requests();
  for (std::size_t i = 0; i < requests.size(); ++i) {
    const json body = json::parse(requests[i].body);
    const std::string user = body["data"]["userID"];
    per_session[user].emplace_back(run.transport.submit_times()[i], body["type"]);
  }
  REQUIRE(per_session.size() == 4);
  for (const auto& [user, sends] : per_session) {
    for (std::size_t k = 1; k < sends.size(); ++k) CHECK(sends[k].first - sends[k - 1].first >= 500000);
  }
}

TEST_CASE("max speed, one at a time: sends follow due order", "[engine]") {
  const auto plan = plan_of(R"({"speed": "max", "streams": [{"vendor": "voiceflow",
      "calls": {"count": 20, "arrival": {"poisson": 0.5}, "duration_s": {"uniform": [5, 200]}}}]})");
  Run run(plan, ok, 1);
  std::int64_t last = 0;
  for (const auto& r : run.transport.requests()) {
    const std::int64_t time = json::parse(r.body).at("time");
    CHECK(time >= last);
    last = time;
  }
  CHECK(run.stats.totals().delivered == static_cast<std::int64_t>(run.transport.requests().size()));
  CHECK(run.stats.totals().out_of_order == 0);
}

TEST_CASE("the same seed gives the same requests, byte for byte", "[engine]") {
  const std::string text = R"({"seed": 99, "streams": [{"vendor": "voiceflow",
      "calls": {"count": 10, "arrival": {"poisson": 1}, "platform": {"twilio": 1, "web-voice": 1}},
      "delivery": {"signing": {"scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}},
      "faults": {"duplicate": {"p": 0.3}, "reorder": {"p": 0.3, "window_ms": 5000}}}]})";
  const auto a = plan_of(text);
  const auto b = plan_of(text);
  Run first(a, ok, 1);
  Run second(b, ok, 1);
  REQUIRE(first.transport.requests().size() == second.transport.requests().size());
  for (std::size_t i = 0; i < first.transport.requests().size(); ++i) {
    const auto& x = first.transport.requests()[i];
    const auto& y = second.transport.requests()[i];
    CHECK(x.body == y.body);
    REQUIRE(x.headers.size() == y.headers.size());
    for (std::size_t h = 0; h < x.headers.size(); ++h) CHECK(x.headers[h].value == y.headers[h].value);
  }
  const auto other = plan_of(R"({"seed": 100, "streams": [{"vendor": "voiceflow", "calls": {"count": 10}}]})");
  Run third(other, ok, 1);
  CHECK(third.transport.requests().front().body != first.transport.requests().front().body);
}

TEST_CASE("max_concurrent caps live calls of a stream", "[engine]") {
  const auto plan = plan_of(R"({"speed": 1000, "streams": [{"vendor": "voiceflow",
      "calls": {"count": 6, "arrival": {"rate_per_s": 100}, "duration_s": 30, "max_concurrent": 2}}]})");
  Run run(plan, ok);
  // With two calls live at once, the session starts come in pairs.
  std::vector<std::int64_t> session_starts;
  for (const auto& r : run.transport.requests()) {
    const json body = json::parse(r.body);
    if (body["type"] == "runtime.session.start") session_starts.push_back(body["data"]["startTime"]);
  }
  REQUIRE(session_starts.size() == 6);
  std::sort(session_starts.begin(), session_starts.end());
  CHECK(session_starts[2] - session_starts[0] >= 30000);
  CHECK(session_starts[4] - session_starts[2] >= 30000);
}

TEST_CASE("a blocking handshake holds its session until answered", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voicebot", "calls": {"count": 1, "turns": 4}}]})");
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 250000); });
  const auto& requests = run.transport.requests();
  REQUIRE(requests.size() > 2);
  const json first = json::parse(requests[0].body);
  CHECK(first["trigger_reason"] == "start");
  // Nothing else left before session_start's answer came back.
  CHECK(run.transport.submit_times()[1] >= run.transport.submit_times()[0] + 250000);
  CHECK(run.stats.totals().accounted());
}

TEST_CASE("a script sends exact events in exact order", "[engine]") {
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow"}], "script": [
      {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 15, "call": "A", "event": "runtime.call.start", "copies": 2},
      {"at_ms": 20, "call": "B", "event": "runtime.session.start", "overrides": {"/data/userID": "x"}}]})");
  Run run(plan, ok);
  const auto& r = run.transport.requests();
  REQUIRE(r.size() == 4);
  CHECK(body_type(r[0]) == "runtime.call.end");
  CHECK(body_type(r[1]) == "runtime.call.start");
  CHECK(r[1].body == r[2].body);
  CHECK(json::parse(r[3].body)["data"]["userID"] == "x");
  CHECK(json::parse(r[0].body)["data"]["userID"] == json::parse(r[1].body)["data"]["userID"]);
}
