// State probes in the engine: call facts and placeholders, each matcher,
// polling on the fake transport's clock, scripted calls, and lost_ack.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "delivery/fake_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "engine/probes.hpp"
#include "population/population.hpp"
#include "report/expectations.hpp"
#include "report/run_stats.hpp"
#include "scenario/load.hpp"
#include "scenario/placeholders.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;
using nlohmann::json;

namespace {

// The plan of a scenario, or the problems that stopped it.
std::optional<engine::RunPlan> try_plan(const std::string& text, std::string& problems_text) {
  auto loaded = scenario::parse_scenario(text, "t.json", vendors::catalog());
  problems_text = loaded.problems.format("t.json");
  if (!loaded.scenario) return std::nullopt;
  util::Problems problems;
  auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks", "", problems);
  problems_text += problems.format("t.json");
  return plan;
}

engine::RunPlan probe_plan(const std::string& text) {
  std::string problems;
  auto plan = try_plan(text, problems);
  INFO(problems);
  REQUIRE(plan);
  return std::move(*plan);
}

struct ProbeRun {
  util::ManualClock clock;
  delivery::FakeTransport transport;
  report::RunStats stats;

  ProbeRun(const engine::RunPlan& plan, delivery::Responder responder) : transport(clock, std::move(responder)) {
    engine::EngineOptions options;
    options.speed = plan.scenario.speed;
    options.concurrency = 16;
    engine::Engine(plan, transport, clock, stats, nullptr, options).run();
  }
  // The probe requests (GETs to /calls/), in order, with their submit times.
  std::vector<std::pair<std::string, std::int64_t>> probes() const {
    std::vector<std::pair<std::string, std::int64_t>> out;
    for (std::size_t i = 0; i < transport.requests().size(); ++i)
      if (transport.requests()[i].url.target.rfind("/calls/", 0) == 0)
        out.emplace_back(transport.requests()[i].url.target, transport.submit_times()[i]);
    return out;
  }
};

bool is_probe(const delivery::HttpRequest& r) { return r.url.target.rfind("/calls/", 0) == 0; }

delivery::FakeReply answer(const std::string& body, int status = 200) {
  delivery::FakeReply r;
  r.status = status;
  r.body = body;
  return r;
}

population::Call sample_call() {
  population::Call call;
  call.start_ms = 1752666057000;
  call.duration_ms = 61500;
  call.direction = "outbound";
  call.user_number = "+15550001111";
  call.agent_number = "+15550002222";
  call.turns.resize(5);
  call.wants_agent = true;
  return call;
}

vendors::SessionFacts sample_session() {
  vendors::SessionFacts s;
  s.call_id = "CA 1/2";
  s.session_id = "sess-1";
  s.end_reason = "hangup";
  s.vendor = {{"user_id", "u-1"}};
  return s;
}

}  // namespace

TEST_CASE("call facts: every common name has its value and type", "[engine][probe]") {
  engine::CallFacts facts = engine::call_facts(sample_call(), sample_session(), "twilio");
  engine::count_delivered(facts, "runtime.call.start");
  engine::count_delivered(facts, "runtime.call.start");
  const std::map<std::string, json> expected = {
      {"call_id", "CA 1/2"},
      {"call.id", "CA 1/2"},
      {"call.session_id", "sess-1"},
      {"call.from", "+15550002222"},  // outbound: the agent's line calls the user
      {"call.to", "+15550001111"},
      {"call.direction", "outbound"},
      {"call.platform", "twilio"},
      {"call.started_at", "2025-07-16T11:40:57.000Z"},
      {"call.ended_at", "2025-07-16T11:41:58.500Z"},
      {"call.duration_s", 61.5},
      {"call.end_reason", "hangup"},
      {"call.turns", 5},
      {"call.transferred", true},
  };
  for (const auto& name : scenario::common_placeholders()) {
    INFO(name);
    REQUIRE(expected.count(name) == 1);
    CHECK(engine::fact_value(facts, name) == expected.at(name));
  }
  CHECK(engine::fact_value(facts, "call.delivered.runtime.call.start") == 2);
  CHECK(engine::fact_value(facts, "call.delivered.runtime.call.end") == 0);  // never accepted
  CHECK(engine::fact_value(facts, "call.vendor.user_id") == "u-1");
  CHECK(engine::fact_value(facts, "call.vendor.project_id").is_null());

  // In a URL values are percent-encoded; elsewhere they are text; a whole
  // placeholder keeps its JSON type.
  CHECK(engine::fill_text("http://h/c/{call.id}?t={call.turns}", facts, true) == "http://h/c/CA%201%2F2?t=5");
  CHECK(engine::fill_text("{call_id} x {call.transferred}", facts) == "CA 1/2 x true");
  CHECK(engine::fill_value(json("{call.turns}"), facts) == 5);
  CHECK(engine::fill_value(json("{call.transferred}"), facts) == true);
  CHECK(engine::fill_value(json{{"a", {"{call.duration_s}", "n={call.turns}"}}}, facts) == json{{"a", {61.5, "n=5"}}});
}

TEST_CASE("each vendor's session names exactly its listed facts, with the id the receiver sees", "[engine][probe]") {
  for (const auto& info : vendors::registry()) {
    INFO(info.name);
    const auto plan = probe_plan(R"({"streams": [{"vendor": ")" + info.name + R"(", "calls": {"count": 1}}]})");
    const auto call = population::make_call(plan.scenario, 0, 0, plan.scenario.epoch_ms);
    vendors::SessionFacts facts;
    const auto deliveries = engine::whole_session(*plan.streams[0].vendor, call, &facts);
    REQUIRE_FALSE(deliveries.empty());
    CHECK(facts.call_id == deliveries.front().call_id);
    std::vector<std::string> names;
    for (const auto& [name, value] : facts.vendor) names.push_back(name);
    std::vector<std::string> listed = info.facts;
    std::sort(listed.begin(), listed.end());
    CHECK(names == listed);
  }
}

TEST_CASE("each matcher passes and fails as documented", "[engine][probe]") {
  using K = scenario::ProbeMatcher::Kind;
  const engine::CallFacts facts = engine::call_facts(sample_call(), sample_session(), "twilio");
  const std::string body = R"({"s": "CA 1/2", "n": 5, "t": true, "l": [1, 2, 3], "u": "héllo"})";
  struct Case {
    std::string pointer;
    K kind;
    json value;
    bool passes;
    std::string message;  // when it fails
  };
  const std::vector<Case> cases = {
      {"/s", K::Equals, "{call.id}", true, ""},
      {"/n", K::Equals, "{call.turns}", true, ""},
      {"/n", K::Equals, "{call.id}", false, "/n: expected \"CA 1/2\", got 5"},
      {"/t", K::Equals, true, true, ""},
      {"/x", K::Absent, true, true, ""},
      {"/s", K::Absent, true, false, "/s: expected absent, got \"CA 1/2\""},
      {"/s", K::Present, true, true, ""},
      {"/x", K::Present, true, false, "/x: expected present, got missing"},
      {"/n", K::Min, 5, true, ""},
      {"/n", K::Min, 6, false, "/n: expected at least 6, got 5"},
      {"/n", K::Max, "{call.turns}", true, ""},
      {"/n", K::Max, 4.5, false, "/n: expected at most 4.5, got 5"},
      {"/s", K::Min, 1, false, "/s: expected at least 1, got \"CA 1/2\""},
      {"/s", K::Matches, "^CA [0-9]/[0-9]$", true, ""},
      {"/s", K::Matches, "^XY", false, "/s: expected matching \"^XY\", got \"CA 1/2\""},
      {"/l", K::Length, 3, true, ""},
      {"/u", K::Length, 5, true, ""},  // characters, not bytes
      {"/l", K::Length, 2, false, "/l: expected length 2, got an array (length 3)"},
      {"/n", K::OneOf, json::array({1, "{call.turns}"}), true, ""},
      {"/s", K::OneOf, json::array({"a", "b"}), false, "/s: expected one of [\"a\",\"b\"], got \"CA 1/2\""},
  };
  vendors::Delivery request;
  request.call_id = "CA 1/2";
  request.url = "http://h/c";
  request.method = "GET";
  delivery::HttpResult result;
  result.status = 200;
  result.body = body;
  for (const auto& c : cases) {
    INFO(c.pointer << " " << c.value.dump());
    scenario::StateProbe probe;
    probe.expect[c.pointer] = scenario::ProbeMatcher{c.kind, c.value};
    const report::ProbeResult p = engine::judge_probe(probe, facts, request, result);
    CHECK(p.passed == c.passes);
    CHECK(p.message == c.message);
    CHECK(p.status == 200);
    CHECK(p.answer == body);
    CHECK(p.method == "GET");
    if (!c.passes) {
      CHECK(p.pointer == c.pointer);
      CHECK_FALSE(p.expected.empty());
      CHECK_FALSE(p.got.empty());
    }
  }
}

TEST_CASE("expect_status: any 2xx by default, else the listed statuses", "[engine][probe]") {
  const engine::CallFacts facts;
  vendors::Delivery request;
  delivery::HttpResult result;
  result.status = 404;
  scenario::StateProbe probe;
  auto p = engine::judge_probe(probe, facts, request, result);
  CHECK_FALSE(p.passed);
  CHECK(p.message == "status 404");
  probe.expect_status = {404};
  CHECK(engine::judge_probe(probe, facts, request, result).passed);
  result.status = 200;
  p = engine::judge_probe(probe, facts, request, result);
  CHECK(p.message == "status 200, expected [404]");
  result.error = delivery::ErrorKind::Connect;
  p = engine::judge_probe(probe, facts, request, result);
  CHECK(p.error == "connect");
  CHECK_FALSE(p.passed);
}

TEST_CASE("until_ms: a probe polls until the answer matches; the last answer judges", "[engine][probe]") {
  const auto plan = probe_plan(R"({"speed": "max", "streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "probe": {"url": "http://127.0.0.1:9/calls/{call.id}", "expect": {"/status": "ended"},
                "until_ms": 1000, "interval_ms": 100}}]})");
  int asked = 0;
  ProbeRun run(plan, [&](const delivery::HttpRequest& r) {
    if (!is_probe(r)) return answer("{}");
    return answer(++asked < 3 ? R"({"status": "active"})" : R"({"status": "ended"})");
  });
  const auto probes = run.probes();
  REQUIRE(probes.size() == 3);
  CHECK(probes[1].second - probes[0].second >= 100000);
  CHECK(probes[2].second - probes[1].second >= 100000);
  REQUIRE(run.stats.probes().size() == 1);
  const report::ProbeResult& p = run.stats.probes()[0];
  CHECK(p.passed);
  CHECK(p.polls == 3);
  CHECK(p.answer == R"({"status": "ended"})");
  CHECK(p.wall_latency_us >= 200000);
  CHECK(p.wall_offset_us >= 0);
  CHECK(run.stats.probe_failures() == 0);
}

TEST_CASE("until_ms: past the deadline the last wrong answer fails the probe and the run", "[engine][probe]") {
  const auto plan = probe_plan(R"({"speed": "max", "streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "probe": {"url": "http://127.0.0.1:9/calls/{call_id}", "expect": {"/status": "ended"},
                "until_ms": 350, "interval_ms": 100}}]})");
  ProbeRun run(plan, [&](const delivery::HttpRequest& r) {
    return is_probe(r) ? answer(R"({"status": "active"})") : answer("{}");
  });
  // Asked at 0, 100, 200, 300 and at the deadline (350 ms after the first).
  REQUIRE(run.probes().size() == 5);
  CHECK(run.probes()[4].second - run.probes()[0].second == 350000);
  REQUIRE(run.stats.probes().size() == 1);
  const report::ProbeResult& p = run.stats.probes()[0];
  CHECK_FALSE(p.passed);
  CHECK(p.polls == 5);
  CHECK(p.pointer == "/status");
  CHECK(p.expected == "\"ended\"");
  CHECK(p.got == "\"active\"");
  CHECK(p.message == "/status: expected \"ended\", got \"active\"");
  // No expect block in the file: the probe's default limit fails the run.
  const auto results = report::check_expectations(plan.scenario.expect, run.stats);
  CHECK_FALSE(report::all_met(results));
}

TEST_CASE("a script's calls are probed, each with its own facts", "[engine][probe]") {
  const auto plan = probe_plan(R"({"streams": [{"vendor": "voiceflow",
      "probe": {"url": "http://127.0.0.1:9/calls/{call.id}",
                "expect": {"/starts": "{call.delivered.runtime.call.start}"}}}],
      "script": [
        {"at_ms": 0, "call": "A", "event": "runtime.call.end"},
        {"at_ms": 10, "call": "A", "event": "runtime.call.start", "copies": 2},
        {"at_ms": 20, "call": "B", "event": "runtime.call.start"}]})");
  std::map<std::string, int> starts;  // call id -> starts accepted
  ProbeRun run(plan, [&](const delivery::HttpRequest& r) {
    if (is_probe(r)) {
      const std::string id = r.url.target.substr(7);
      return answer(json{{"starts", starts[id]}}.dump());
    }
    const json body = json::parse(r.body);
    if (body["type"] == "runtime.call.start") ++starts[body["data"]["metadata"]["callSid"].get<std::string>()];
    return answer("{}");
  });
  REQUIRE(run.probes().size() == 2);
  REQUIRE(run.stats.probes().size() == 2);
  std::set<int> counts;
  for (const auto& p : run.stats.probes()) {
    INFO(p.message);
    CHECK(p.passed);
    REQUIRE(starts.count(p.call_id) == 1);
    counts.insert(starts[p.call_id]);
  }
  CHECK(counts == std::set<int>{1, 2});
}

TEST_CASE("lost_ack: the vendor sends the delivery again with the same id", "[engine][faults]") {
  const auto plan = probe_plan(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"signing": {"scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"},
                   "retry": {"max_attempts": 3, "backoff_ms": [50]}},
      "faults": {"lost_ack": 1}}]})");
  std::map<std::string, std::vector<std::string>> ids;  // event -> webhook-id of each attempt
  ProbeRun run(plan, [&](const delivery::HttpRequest& r) {
    for (const auto& h : r.headers)
      if (h.name == "webhook-id") ids[json::parse(r.body)["type"]].push_back(h.value);
    return answer("{}");
  });
  REQUIRE(ids.size() == 4);
  for (const auto& [event, seen] : ids) {
    INFO(event);
    REQUIRE(seen.size() == 2);  // the lost answer, then the retry; it fires once
    CHECK(seen[0] == seen[1]);
  }
  const auto& totals = run.stats.totals();
  CHECK(totals.delivered == 4);
  CHECK(totals.failed == 0);
  CHECK(totals.retried == 4);
  CHECK(totals.accounted());
  CHECK(run.stats.faults().at("lost_ack") == 4);
}

TEST_CASE("lost_ack is refused where the vendor would not send again", "[engine][faults]") {
  std::string problems;
  CHECK_FALSE(try_plan(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 1}}, "faults": {"lost_ack": 0.5}}]})",
                       problems));
  CHECK(problems ==
        "t.json: /streams/0/faults/lost_ack: cannot act: retries are off (delivery.retry.max_attempts is 1), so a "
        "lost answer is never sent again; give delivery.retry more attempts\n");
  CHECK_FALSE(try_plan(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 3, "on": ["5xx"]}},
      "faults": {"events": {"runtime.call.end": {"lost_ack": 1}}}}]})",
                       problems));
  CHECK(problems.find("/streams/0/faults/events/runtime.call.end/lost_ack: cannot act: a lost answer is retried as a "
                      "dropped connection") != std::string::npos);
}
