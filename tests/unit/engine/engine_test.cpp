// The scheduler on a fake transport and a manual clock.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "delivery/fake_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "journal/journal.hpp"
#include "report/run_stats.hpp"
#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;
using nlohmann::json;

namespace {

engine::RunPlan plan_of(const std::string& text) {
  auto loaded = scenario::parse_scenario(text, "test.json", vendors::catalog());
  INFO(loaded.problems.format("test.json"));
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                "http://127.0.0.1:9/recordings", problems);
  INFO(problems.format("test.json"));
  REQUIRE(plan);
  return std::move(*plan);
}

constexpr std::int64_t k_unix_at_zero_ms = 1900000000000;  // the manual clock's wall time at 0

struct Run {
  util::ManualClock clock;
  delivery::FakeTransport transport;
  report::RunStats stats;
  engine::RunOutcome outcome;

  // `expose` (if given) is pointed at the clock before the run, for responders.
  Run(const engine::RunPlan& plan, delivery::Responder responder, std::int64_t concurrency = 64,
      util::ManualClock** expose = nullptr, journal::JournalWriter* journal = nullptr)
      : transport(clock, std::move(responder)) {
    clock.set_unix_at_zero_ms(k_unix_at_zero_ms);
    if (expose) *expose = &clock;
    engine::EngineOptions options;
    options.speed = plan.scenario.speed;
    options.concurrency = concurrency;
    engine::Engine engine(plan, transport, clock, stats, journal, options);
    outcome = engine.run();
  }

  static std::int64_t clock_unix_ms_at(std::int64_t clock_us) { return k_unix_at_zero_ms + clock_us / 1000; }
};

std::int64_t clock_now_unix_ms(const util::ManualClock* clock) { return clock->unix_ms(); }

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") for a unix time.
std::string http_date(std::int64_t unix_ms) {
  const std::time_t t = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

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
  // Speed 1 on a manual clock: a virtual ms is a wall ms, so send times are exact.
  const auto plan = plan_of(R"({"speed": 1, "streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 4, "backoff_ms": [100, 200]}}}]})");
  std::map<std::string, int> seen;
  std::map<std::string, std::vector<std::int64_t>> sends;  // per event: submit times
  Run run(plan, [&](const delivery::HttpRequest& r) {
    const int n = ++seen[body_type(r)];
    return reply(n < 3 ? 503 : 200, 0);
  });
  REQUIRE(run.transport.requests().size() == 12);  // 4 events x 3 attempts
  for (std::size_t i = 0; i < run.transport.requests().size(); ++i)
    sends[body_type(run.transport.requests()[i])].push_back(run.transport.submit_times()[i]);
  REQUIRE(sends.size() == 4);
  for (const auto& [event, times] : sends) {
    INFO(event);
    REQUIRE(times.size() == 3);
    CHECK(times[1] - times[0] == 100000);  // first back-off: 100 ms
    CHECK(times[2] - times[1] == 200000);  // then 200 ms
  }
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
  const auto plan =
      plan_of(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 4, "arrival": {"rate_per_s": 100}},
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
  REQUIRE(run.stats.totals().planned == 80);  // 20 calls x 4 events
  REQUIRE(run.transport.requests().size() == 80);
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

TEST_CASE("a scripted end before its start counts out of order; each scripted call is judged alone", "[engine]") {
  // A's end goes first; B's start and end are in order. The script's order
  // is not the lifecycle: A's start comes after A's end was delivered.
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow"}], "script": [
      {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 15, "call": "A", "event": "runtime.call.start"},
      {"at_ms": 30, "call": "B", "event": "runtime.call.start"},
      {"at_ms": 45, "call": "B", "event": "runtime.call.end"}]})");
  Run run(plan, ok);
  REQUIRE(run.transport.requests().size() == 4);
  CHECK(run.stats.totals().out_of_order == 1);
  for (const auto& e : run.stats.events()) {
    INFO(e.name);
    CHECK(e.counts.out_of_order == (e.name == "runtime.call.start" ? 1 : 0));
  }
}

TEST_CASE("a scripted duplicate is judged like its original", "[engine]") {
  // A: both copies of the start arrive after the end. B: the copy follows
  // its original at once, which is no reorder.
  const auto plan = plan_of(R"({"streams": [{"vendor": "voiceflow"}], "script": [
      {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 10, "call": "A", "event": "runtime.call.start", "copies": 2},
      {"at_ms": 20, "call": "B", "event": "runtime.call.start", "copies": 2},
      {"at_ms": 30, "call": "B", "event": "runtime.call.end"}]})");
  Run run(plan, ok);
  REQUIRE(run.transport.requests().size() == 6);
  CHECK(run.stats.totals().out_of_order == 2);
}

namespace {

struct Send {
  std::int64_t at_us;   // submit time
  std::int64_t due_ms;  // the event's virtual time (Voiceflow's "time")
  std::string type;
  std::string body;
};

// Each Voiceflow call's sends in submit order, by user id.
std::map<std::string, std::vector<Send>> sends_per_call(const delivery::FakeTransport& transport) {
  std::map<std::string, std::vector<Send>> out;
  for (std::size_t i = 0; i < transport.requests().size(); ++i) {
    const json body = json::parse(transport.requests()[i].body);
    out[body["data"]["userID"]].push_back(
        {transport.submit_times()[i], body["time"], body["type"], transport.requests()[i].body});
  }
  return out;
}

std::string header_of(const delivery::HttpRequest& r, const std::string& name) {
  for (const auto& h : r.headers)
    if (h.name == name) return h.value;
  return "";
}

}  // namespace

TEST_CASE("timeline: a call's later event waits while an earlier one is in flight", "[engine][timeline]") {
  const auto plan = plan_of(R"({"speed": "max", "streams": [{"vendor": "voiceflow",
      "calls": {"count": 3, "arrival": {"rate_per_s": 100}, "duration_s": 10}}]})");
  // Answers take 2 s: far longer than max speed needs, so only the timeline holds sends back.
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 2000000); });
  REQUIRE(run.transport.requests().size() == 12);
  const auto calls = sends_per_call(run.transport);
  REQUIRE(calls.size() == 3);
  for (const auto& [user, sends] : calls) {
    REQUIRE(sends.size() == 4);
    for (std::size_t k = 1; k < sends.size(); ++k) {
      CHECK(sends[k].at_us - sends[k - 1].at_us >= 2000000);
      CHECK(sends[k].due_ms >= sends[k - 1].due_ms);
    }
  }
  // Calls are not held back by each other: the three first sends go at once.
  CHECK(run.transport.submit_times()[2] == run.transport.submit_times()[0]);
  CHECK(run.stats.totals().out_of_order == 0);
}

TEST_CASE("timeline: a retry takes its place at its retry time, so a later event goes first", "[engine][timeline]") {
  const auto plan = plan_of(R"({"speed": "max", "streams": [{"vendor": "voiceflow",
      "calls": {"count": 1, "duration_s": 60},
      "delivery": {"retry": {"max_attempts": 2, "backoff_ms": [600000]}}}]})");
  bool failed_once = false;
  Run run(plan, [&](const delivery::HttpRequest& r) {
    if (!failed_once && body_type(r) == "runtime.session.start") {
      failed_once = true;
      return reply(503);
    }
    return reply(200);
  });
  const auto& requests = run.transport.requests();
  REQUIRE(requests.size() == 5);
  CHECK(body_type(requests[0]) == "runtime.session.start");
  // The retry is due 10 virtual minutes later: every later event of the call goes before it.
  CHECK(body_type(requests[4]) == "runtime.session.start");
  CHECK(requests[4].body == requests[0].body);
  CHECK(run.stats.totals().out_of_order == 1);  // the retried delivery, after later ones
}

TEST_CASE("timeline: copies of a duplicate with spacing 0 are in flight together", "[engine][timeline]") {
  const auto plan = plan_of(R"({"speed": "max", "streams": [{"vendor": "voiceflow",
      "calls": {"count": 1, "duration_s": 10},
      "faults": {"duplicate": {"p": 1, "copies": 2, "spacing_ms": 0}}}]})");
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 1000000); });
  REQUIRE(run.transport.requests().size() == 12);  // 4 events x (original + 2 copies)
  const auto sends = sends_per_call(run.transport).begin()->second;
  for (std::size_t k = 0; k < sends.size(); k += 3) {
    INFO("event " << sends[k].type);
    CHECK(sends[k + 1].body == sends[k].body);
    CHECK(sends[k + 2].body == sends[k].body);
    CHECK(sends[k + 1].at_us == sends[k].at_us);  // the race a receiver's de-duplication must survive
    CHECK(sends[k + 2].at_us == sends[k].at_us);
    if (k > 0) CHECK(sends[k].at_us - sends[k - 1].at_us >= 1000000);  // the next event waits for them
  }
}

TEST_CASE("concurrent: a call's attempts overlap only once the earlier has been in flight for the gap",
          "[engine][timeline]") {
  const std::string text = R"({"speed": "max", "streams": [{"vendor": "voiceflow",
      "calls": {"count": 2, "arrival": {"rate_per_s": 100}, "duration_s": {"uniform": [1, 8]}},
      "delivery": {"ordering": "concurrent", "timeout_ms": 20000}}]})";
  const auto plan = plan_of(text);
  SECTION("a slow receiver: overlaps, each after its gap") {
    Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 9000000); });
    REQUIRE(run.transport.requests().size() == 8);
    int overlaps = 0;
    for (const auto& [user, sends] : sends_per_call(run.transport)) {
      for (std::size_t j = 0; j < sends.size(); ++j)
        for (std::size_t k = j + 1; k < sends.size(); ++k) {
          if (sends[k].at_us >= sends[j].at_us + 9000000) continue;  // j was answered first
          ++overlaps;
          CHECK(sends[k].at_us - sends[j].at_us >= (sends[k].due_ms - sends[j].due_ms) * 1000);
        }
    }
    CHECK(overlaps > 0);
  }
  SECTION("a fast receiver: no overlap") {
    Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 1000); });
    REQUIRE(run.transport.requests().size() == 8);
    for (const auto& [user, sends] : sends_per_call(run.transport))
      for (std::size_t k = 1; k < sends.size(); ++k) CHECK(sends[k].at_us - sends[k - 1].at_us >= 1000);
  }
}

TEST_CASE("signatures are made at send time: wall clock by default, virtual on request", "[engine][signing]") {
  const std::string secret = R"("secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")";
  const auto wall = plan_of(R"({"speed": 100, "streams": [{"vendor": "voiceflow", "calls": {"count": 2},
      "delivery": {"signing": {"scheme": "standard", )" +
                            secret + R"(}}}]})");
  const auto virt = plan_of(R"({"speed": 100, "streams": [{"vendor": "voiceflow", "calls": {"count": 2},
      "delivery": {"signing": {"scheme": "standard", "timestamp": "virtual", )" +
                            secret + R"(}}}]})");
  const auto stale_wall = plan_of(R"({"speed": 100, "streams": [{"vendor": "voiceflow", "calls": {"count": 2},
      "delivery": {"signing": {"scheme": "svix", )" +
                                  secret + R"(}},
      "faults": {"stale_timestamp": {"p": 1, "by_ms": 600000}}}]})");
  const auto stale_virtual = plan_of(R"({"speed": 100, "streams": [{"vendor": "voiceflow", "calls": {"count": 2},
      "delivery": {"signing": {"scheme": "svix", "timestamp": "virtual", )" +
                                     secret + R"(}},
      "faults": {"stale_timestamp": {"p": 1, "by_ms": 600000}}}]})");
  struct Case {
    const engine::RunPlan* plan;
    const char* header;
    bool wall_clock;
    std::int64_t stale_s;
  };
  for (const Case& c :
       {Case{&wall, "webhook-timestamp", true, 0}, Case{&virt, "webhook-timestamp", false, 0},
        Case{&stale_wall, "svix-timestamp", true, 600}, Case{&stale_virtual, "svix-timestamp", false, 600}}) {
    INFO(c.header << (c.wall_clock ? " wall" : " virtual") << " stale " << c.stale_s);
    Run run(*c.plan, ok);
    REQUIRE(run.transport.requests().size() == 8);
    for (std::size_t i = 0; i < run.transport.requests().size(); ++i) {
      const auto& r = run.transport.requests()[i];
      const std::int64_t due_ms = json::parse(r.body).at("time");
      const std::int64_t wall_ms = run.clock_unix_ms_at(run.transport.submit_times()[i]);
      const std::int64_t expected = (c.wall_clock ? wall_ms / 1000 : due_ms / 1000) - c.stale_s;
      CHECK(header_of(r, c.header) == std::to_string(expected));
    }
  }
}

TEST_CASE("an HTTP-date Retry-After counts on the wall clock; long asks are clamped", "[engine][retry]") {
  const auto plan = plan_of(R"({"speed": 1, "streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 2, "backoff_ms": [100], "retry_after_max_ms": 5000}}}]})");
  SECTION("a date two seconds ahead of the receiver's clock: two seconds") {
    std::map<std::string, int> seen;
    std::map<std::string, std::int64_t> asked_ms;  // the date's distance from the answer's wall time
    util::ManualClock* clock = nullptr;
    Run run(
        plan,
        [&](const delivery::HttpRequest& r) {
          if (++seen[body_type(r)] > 1) return reply(200, 0);
          delivery::FakeReply again = reply(503, 0);
          // Whole seconds, as an HTTP date has them: between 1 and 2 s ahead.
          const std::int64_t date_ms = (clock_now_unix_ms(clock) / 1000 + 2) * 1000;
          asked_ms[body_type(r)] = date_ms - clock_now_unix_ms(clock);
          again.retry_after = http_date(date_ms);
          return again;
        },
        64, &clock);
    REQUIRE(run.transport.requests().size() == 8);
    std::map<std::string, std::vector<std::int64_t>> sends;
    for (std::size_t i = 0; i < 8; ++i)
      sends[body_type(run.transport.requests()[i])].push_back(run.transport.submit_times()[i]);
    for (const auto& [event, times] : sends) {
      REQUIRE(times.size() == 2);
      CHECK(asked_ms[event] > 1000);
      CHECK(times[1] - times[0] == asked_ms[event] * 1000);
    }
  }
  SECTION("an ask of a day waits retry_after_max_ms, and the journal says so") {
    const auto path = std::filesystem::temp_directory_path() / "callhook_engine_clamp.jsonl";
    std::map<std::string, int> seen;
    {
      journal::JournalWriter journal(path.string());
      Run run(
          plan,
          [&](const delivery::HttpRequest& r) {
            if (++seen[body_type(r)] > 1) return reply(200, 0);
            delivery::FakeReply again = reply(503, 0);
            again.retry_after = "86400";
            return again;
          },
          64, nullptr, &journal);
      REQUIRE(run.transport.requests().size() == 8);
      std::map<std::string, std::vector<std::int64_t>> sends;
      for (std::size_t i = 0; i < 8; ++i)
        sends[body_type(run.transport.requests()[i])].push_back(run.transport.submit_times()[i]);
      for (const auto& [event, times] : sends) {
        REQUIRE(times.size() == 2);
        CHECK(times[1] - times[0] == 5000000);
      }
      journal.flush();
    }
    std::ifstream in(path);
    std::string line;
    int clamped = 0;
    while (std::getline(in, line)) {
      const json record = json::parse(line);
      if (record["kind"] != "attempt") continue;
      if (record["will_retry"] == true) {
        CHECK(record["retry_after_clamped_ms"] == 86400000);
        ++clamped;
      } else {
        CHECK_FALSE(record.contains("retry_after_clamped_ms"));
      }
    }
    CHECK(clamped == 4);
    std::filesystem::remove(path);
  }
}

namespace {

// Every Atoms delivery signed with a wrong signature, at most two attempts each.
engine::RunPlan bad_signature_plan() {
  return plan_of(R"({"streams": [{"vendor": "atoms", "calls": {"count": 2},
      "delivery": {"signing": {"secret": "k"}, "retry": {"max_attempts": 2, "backoff_ms": [10]}},
      "faults": {"bad_signature": 1}}]})");
}

}  // namespace

TEST_CASE("a 4xx to a bad signature is rejected as expected: not failed, not retried", "[engine][verdicts]") {
  const auto plan = bad_signature_plan();
  const std::string path =
      (std::filesystem::temp_directory_path() / ("callhook-verdicts-" + std::to_string(::getpid()) + ".jsonl"))
          .string();
  std::int64_t planned = 0;
  {
    journal::JournalWriter journal(path);
    journal.run_header("verdicts", 1, 0, 0, "2026-01-01T00:00:00.000Z");
    Run run(
        plan, [](const delivery::HttpRequest&) { return reply(401); }, 64, nullptr, &journal);
    journal.flush();
    const report::Counts& totals = run.stats.totals();
    planned = totals.planned;
    REQUIRE(planned > 0);
    CHECK(totals.rejected_as_expected == planned);
    CHECK(totals.failed == 0);
    CHECK(totals.retried == 0);
    CHECK(run.transport.requests().size() == static_cast<std::size_t>(planned));
    CHECK(totals.accepted_bad_signature == 0);
    CHECK(run.stats.errors().empty());
    CHECK(run.stats.findings_total() == 0);
    CHECK(totals.accounted());
  }
  std::ifstream in(path);
  std::int64_t rejected_finals = 0, rejected_attempts = 0;
  for (std::string line; std::getline(in, line);) {
    const json record = json::parse(line);
    if (record.at("kind") == "final" && record.at("result") == "rejected") ++rejected_finals;
    if (record.at("kind") == "attempt" && record.at("verdict") == "rejected") ++rejected_attempts;
  }
  CHECK(rejected_finals == planned);
  CHECK(rejected_attempts == planned);
  std::filesystem::remove(path);
}

TEST_CASE("a 2xx to a bad signature is a finding: accepted_bad_signature", "[engine][verdicts]") {
  Run run(bad_signature_plan(), ok);
  const report::Counts& totals = run.stats.totals();
  REQUIRE(totals.planned > 0);
  CHECK(totals.delivered == totals.planned);
  CHECK(totals.accepted_bad_signature == totals.planned);
  CHECK(totals.rejected_as_expected == 0);
  CHECK(run.stats.findings_total() == totals.planned);
  REQUIRE_FALSE(run.stats.findings().empty());
  CHECK(run.stats.findings().front().message.find("accepted_bad_signature") == 0);
  CHECK(run.stats.failing_calls() == 2);
}

TEST_CASE("a 5xx to a bad signature is retried and fails as any other", "[engine][verdicts]") {
  Run run(bad_signature_plan(), [](const delivery::HttpRequest&) { return reply(503); });
  const report::Counts& totals = run.stats.totals();
  REQUIRE(totals.planned > 0);
  CHECK(totals.failed == totals.planned);
  CHECK(totals.retried == totals.planned);
  CHECK(totals.rejected_as_expected == 0);
}

namespace {

// A Voiceflow stream whose deliveries carry their id (svix-id), for a script.
engine::RunPlan signed_script(const std::string& steps) {
  return plan_of(R"({"streams": [{"vendor": "voiceflow",
      "delivery": {"signing": {"secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"}}}], "script": [)" +
                 steps + "]}");
}

}  // namespace

TEST_CASE("script: copies sent together go at once; plain copies wait for each other's answer", "[engine][script]") {
  const auto slow = [](const delivery::HttpRequest&) { return reply(200, 500000); };
  const auto together = signed_script(R"(
      {"at_ms": 0, "call": "A", "event": "runtime.call.start", "copies": 3, "together": true},
      {"at_ms": 10, "call": "A", "event": "runtime.call.end"})");
  Run run(together, slow);
  const auto& r = run.transport.requests();
  const auto& at = run.transport.submit_times();
  REQUIRE(r.size() == 4);
  for (std::size_t k = 1; k < 3; ++k) {
    CHECK(at[k] == at[0]);  // none waited for the first answer
    CHECK(r[k].body == r[0].body);
    CHECK(header_of(r[k], "svix-id") == header_of(r[0], "svix-id"));
  }
  CHECK(!header_of(r[0], "svix-id").empty());
  CHECK(body_type(r[3]) == "runtime.call.end");
  CHECK(at[3] >= at[0] + 500000);  // the next step still waits for all three
  CHECK(run.stats.totals().delivered == 4);

  const auto apart = signed_script(R"({"at_ms": 0, "call": "A", "event": "runtime.call.start", "copies": 2})");
  Run one_by_one(apart, slow);
  REQUIRE(one_by_one.transport.requests().size() == 2);
  CHECK(one_by_one.transport.submit_times()[1] >= one_by_one.transport.submit_times()[0] + 500000);
}

TEST_CASE("script: again sends an earlier step's delivery once more, same id and body", "[engine][script]") {
  const auto plan = signed_script(R"(
      {"at_ms": 0, "call": "A", "event": "runtime.call.start", "overrides": {"/data/userID": "u1"}},
      {"at_ms": 10, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 20, "call": "A", "event": "runtime.call.start", "again": true, "copies": 2})");
  Run run(plan, ok);
  const auto& r = run.transport.requests();
  REQUIRE(r.size() == 4);
  CHECK(body_type(r[1]) == "runtime.call.end");
  for (const std::size_t k : {std::size_t{2}, std::size_t{3}}) {
    CHECK(r[k].body == r[0].body);  // overrides included
    CHECK(header_of(r[k], "svix-id") == header_of(r[0], "svix-id"));
  }
  CHECK(header_of(r[1], "svix-id") != header_of(r[0], "svix-id"));
  CHECK(run.stats.totals().delivered == 4);
  CHECK(run.stats.totals().out_of_order == 2);  // the start again, after the end: same place in the lifecycle
}

TEST_CASE("script: a step's lost_ack makes the vendor send it again with the same id", "[engine][script]") {
  const auto plan = signed_script(R"(
      {"at_ms": 0, "call": "A", "event": "runtime.call.start", "lost_ack": true},
      {"at_ms": 10, "call": "A", "event": "runtime.call.end"})");
  Run run(plan, ok);
  const auto& r = run.transport.requests();
  REQUIRE(r.size() == 3);
  CHECK(body_type(r[0]) == "runtime.call.start");
  CHECK(body_type(r[1]) == "runtime.call.start");  // the retry, before the next step
  CHECK(header_of(r[1], "svix-id") == header_of(r[0], "svix-id"));
  CHECK(body_type(r[2]) == "runtime.call.end");
  CHECK(run.stats.totals().retried == 1);
  CHECK(run.stats.totals().delivered == 2);
}

TEST_CASE("script: again with nothing before it and lost_ack without retries are refused", "[engine][script]") {
  const auto problems_of = [](const std::string& text) {
    auto loaded = scenario::parse_scenario(text, "test.json", vendors::catalog());
    REQUIRE(loaded.problems.empty());
    util::Problems problems;
    CHECK_FALSE(engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                  "http://127.0.0.1:9/recordings", problems));
    return problems.format("test.json");
  };
  CHECK(problems_of(R"({"streams": [{"vendor": "voiceflow"}], "script": [
      {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 5, "call": "A", "event": "runtime.call.start", "again": true}]})") ==
        "test.json: /script/1/again: call \"A\" sent no \"runtime.call.start\" before this step, so there is none to "
        "send again\n");
  CHECK(problems_of(R"({"streams": [{"vendor": "voiceflow", "delivery": {"retry": {"max_attempts": 1}}}],
      "script": [{"at_ms": 0, "call": "A", "event": "runtime.call.start", "lost_ack": true}]})")
            .find("test.json: /script/0/lost_ack: cannot act: retries are off") == 0);
  CHECK(problems_of(R"({"streams": [{"vendor": "voiceflow"}], "script": [
      {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
      {"at_ms": 5, "call": "A", "event": "runtime.call.end"}]})")
            .find("(\"again\": true sends it again)") != std::string::npos);
}

TEST_CASE("a vendor's per-event default retry applies unless the stream sets its own", "[engine]") {
  // Exotel documents retries for the StatusCallback only; its Passthru is sent once.
  const auto plan = plan_of(R"({"streams": [{"vendor": "exotel", "calls": {"count": 1}}]})");
  CHECK(plan.streams[0].for_event("status_callback").retry.max_attempts == 3);
  CHECK(plan.streams[0].for_event("passthru").retry.max_attempts == 1);
  CHECK(plan.streams[0].for_event("passthru").timeout_ms == 15000);
  const auto own = plan_of(
      R"({"streams": [{"vendor": "exotel", "calls": {"count": 1}, "delivery": {"retry": {"max_attempts": 5}}}]})");
  CHECK(own.streams[0].for_event("passthru").retry.max_attempts == 5);
  CHECK(own.streams[0].for_event("status_callback").retry.max_attempts == 5);
  const auto per_event = plan_of(R"({"streams": [{"vendor": "exotel", "calls": {"count": 1},
      "delivery": {"timeout_ms": 2000, "events": {"passthru": {"timeout_ms": 3000}}}}]})");
  CHECK(per_event.streams[0].for_event("passthru").retry.max_attempts == 1);
  CHECK(per_event.streams[0].for_event("passthru").timeout_ms == 3000);
  CHECK(per_event.streams[0].for_event("status_callback").timeout_ms == 2000);
}

TEST_CASE("a handshake held back by end_before_start holds back what follows it, which is not late", "[engine]") {
  // The session_start leaves 1 ms after the session's end; the transcripts
  // that wait on its answer cannot leave before it, and waiting for it is
  // the vendor's doing, not lateness of callhook's.
  const auto plan = plan_of(R"({"speed": 100, "streams": [{"vendor": "voicebot",
      "calls": {"count": 1, "turns": 4, "duration_s": 60},
      "faults": {"reorder": {"p": 1, "patterns": ["end_before_start"]}}}]})");
  Run run(plan, [](const delivery::HttpRequest&) { return reply(200, 1000); });
  const auto& requests = run.transport.requests();
  REQUIRE(requests.size() > 3);
  std::size_t start = requests.size();
  for (std::size_t i = 0; i < requests.size(); ++i)
    if (json::parse(requests[i].body)["trigger_reason"] == "start") start = i;
  REQUIRE(start == 1);  // after the end
  CHECK(json::parse(requests[0].body)["trigger_reason"] == "end");
  // 60 virtual seconds at 100x: the start goes about 0.6 s in, the rest after it.
  CHECK(run.transport.submit_times()[start] >= 590000);
  for (std::size_t i = start + 1; i < requests.size(); ++i)
    CHECK(run.transport.submit_times()[i] >= run.transport.submit_times()[start]);
  CHECK(run.stats.lateness().max() < 20000);  // µs: the 1 ms answer and a tick, not the call's length
  CHECK(run.stats.totals().accounted());
}
