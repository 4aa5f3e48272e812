// Reading a stream's probe: placeholders checked per vendor, matchers,
// polling limits, the default "probe_failures" expectation, lost_ack.
#include <catch2/catch.hpp>

#include "scenario/load.hpp"
#include "scenario/placeholders.hpp"
#include "vendors/vendor.hpp"

using namespace callhook::scenario;

namespace {

// A Voiceflow stream with `probe` (a JSON object's text), loaded.
LoadResult with_probe(const std::string& probe, const std::string& rest = "") {
  return parse_scenario(
      R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1}, "probe": )" + probe + "}]" + rest + "}", "p.json",
      callhook::vendors::catalog());
}

std::string messages(const LoadResult& r) { return r.problems.format("p.json"); }

}  // namespace

TEST_CASE("every placeholder name loads, in URL, headers, body and expected values", "[scenario][probe]") {
  std::string names;
  for (const auto& name : placeholder_names(callhook::vendors::catalog().events.at("voiceflow"),
                                            callhook::vendors::catalog().facts.at("voiceflow")))
    names += "{" + name + "}";
  REQUIRE(names.find("{call.delivered.runtime.call.end}") != std::string::npos);
  REQUIRE(names.find("{call.vendor.user_id}") != std::string::npos);
  const auto r = with_probe(R"({"url": "http://h/c/{call.id}?s={call.session_id}&old={call_id}",
      "method": "POST", "headers": {"X-All": ")" +
                            names + R"("}, "body": {"all": ")" + names + R"("},
      "expect": {"/a": ")" + names +
                            R"(", "/turns": "{call.turns}"}})");
  INFO(messages(r));
  REQUIRE(r.problems.empty());
  const StateProbe& p = *r.scenario->streams[0].probe;
  CHECK(p.method == "POST");
  CHECK(p.headers.size() == 1);
  CHECK(p.body.at("all") == names);
  CHECK(p.expect.at("/turns").value == "{call.turns}");
}

TEST_CASE("an unknown placeholder is an error with did-you-mean, wherever it is", "[scenario][probe]") {
  const auto r = with_probe(R"({"url": "http://h/c/{call.durations}", "method": "POST",
      "headers": {"X-Id": "{call.sesion_id}"}, "body": {"n": "{call.vendor.userid}"},
      "expect": {"/d": {"one_of": ["{call.delivered.runtime.call.ends}"]}, "/e": "{callid}"}})");
  CHECK(messages(r) ==
        "p.json: /streams/0/probe/url: unknown placeholder \"call.durations\" (did you mean \"call.duration_s\"?)\n"
        "p.json: /streams/0/probe/headers/X-Id: unknown placeholder \"call.sesion_id\" (did you mean "
        "\"call.session_id\"?)\n"
        "p.json: /streams/0/probe/body/n: unknown placeholder \"call.vendor.userid\" (did you mean "
        "\"call.vendor.user_id\"?)\n"
        "p.json: /streams/0/probe/expect/~1d/one_of/0: unknown placeholder \"call.delivered.runtime.call.ends\" (did "
        "you mean \"call.delivered.runtime.call.end\"?)\n"
        "p.json: /streams/0/probe/expect/~1e: unknown placeholder \"callid\" (did you mean \"call_id\"?)\n");
}

TEST_CASE("braces that are not placeholders are text", "[scenario][probe]") {
  const auto found = find_placeholders(R"({"a": {"b": "{call.id}"}, "c": "{ x }", "d": "{}", "e": "{9}"})");
  REQUIRE(found.size() == 1);
  CHECK(found[0].name == "call.id");
  CHECK(canonical_placeholder("call_id") == "call.id");
  CHECK(canonical_placeholder("call.turns") == "call.turns");
}

TEST_CASE("each matcher form is read", "[scenario][probe]") {
  const auto r = with_probe(R"({"url": "http://h/c/{call.id}", "expect": {
      "/a": "x", "/b": {"equals": {"min": 1}}, "/c": {"absent": true}, "/d": {"present": true},
      "/e": {"min": 1}, "/f": {"max": "{call.turns}"}, "/g": {"matches": "^CA[0-9a-f]+$"},
      "/h": {"length": 3}, "/i": {"one_of": ["a", 2]}, "/j": {"min": 1, "max": 2}},
      "expect_status": [200, 404], "until_ms": 2000, "interval_ms": 100})");
  INFO(messages(r));
  REQUIRE(r.problems.empty());
  const StateProbe& p = *r.scenario->streams[0].probe;
  using K = ProbeMatcher::Kind;
  CHECK(p.expect.at("/a").kind == K::Equals);
  CHECK(p.expect.at("/b").kind == K::Equals);
  CHECK(p.expect.at("/b").value == nlohmann::json{{"min", 1}});
  CHECK(p.expect.at("/c").kind == K::Absent);
  CHECK(p.expect.at("/d").kind == K::Present);
  CHECK(p.expect.at("/e").kind == K::Min);
  CHECK(p.expect.at("/f").kind == K::Max);
  CHECK(p.expect.at("/g").kind == K::Matches);
  CHECK(p.expect.at("/h").kind == K::Length);
  CHECK(p.expect.at("/i").kind == K::OneOf);
  CHECK(p.expect.at("/j").kind == K::Equals);  // two keys: a plain object to compare with
  CHECK(p.expect_status == std::vector<int>{200, 404});
  CHECK(p.until_ms == 2000);
  CHECK(p.interval_ms == 100);
}

TEST_CASE("bad matcher arguments and polling limits are reported", "[scenario][probe]") {
  const auto r = with_probe(R"({"url": "http://h/c", "body": "x", "expect": {
      "/a": {"absent": false}, "/b": {"min": "ten"}, "/c": {"matches": "(unclosed"},
      "/d": {"length": -1}, "/e": {"one_of": []}},
      "expect_status": 99, "until_ms": 100000, "interval_ms": 10})");
  const std::string m = messages(r);
  CHECK(m.find("/streams/0/probe/body: a GET probe sends no body") != std::string::npos);
  CHECK(m.find("/streams/0/probe/expect/~1a/absent: expected true, got false") != std::string::npos);
  CHECK(m.find("/streams/0/probe/expect/~1b/min: expected a number or a {call.*} placeholder, got \"ten\"") !=
        std::string::npos);
  CHECK(m.find("/streams/0/probe/expect/~1c/matches: invalid regular expression \"(unclosed\"") != std::string::npos);
  CHECK(m.find("/streams/0/probe/expect/~1d/length: expected a non-negative integer") != std::string::npos);
  CHECK(m.find("/streams/0/probe/expect/~1e/one_of: expected a non-empty array of values, got an array") !=
        std::string::npos);
  CHECK(m.find("/streams/0/probe/expect_status: expected an integer") != std::string::npos);
  CHECK(m.find("/streams/0/probe/until_ms: polls more than 1000 times") != std::string::npos);
  const auto lone = with_probe(R"({"url": "http://h/c", "interval_ms": 50})");
  CHECK(messages(lone) ==
        "p.json: /streams/0/probe/interval_ms: has no effect without \"until_ms\" (how long to "
        "poll)\n");
}

TEST_CASE("a probe expects no failed probes unless the expect block says otherwise", "[scenario][probe]") {
  const auto bare = with_probe(R"({"url": "http://h/c/{call.id}"})");
  REQUIRE(bare.scenario);
  CHECK(bare.scenario->expect == Expectations{{"probe_failures", 0}});
  const auto relaxed = with_probe(R"({"url": "http://h/c/{call.id}"})", R"(, "expect": {"probe_failures": 3})");
  REQUIRE(relaxed.scenario);
  CHECK(relaxed.scenario->expect == Expectations{{"probe_failures", 3}});
  const auto none = parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1}}]})", "p.json",
                                   callhook::vendors::catalog());
  REQUIRE(none.scenario);
  CHECK(none.scenario->expect.empty());
}

TEST_CASE("lost_ack is a probability per stream and per event", "[scenario][faults]") {
  const auto r = parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "faults": {"lost_ack": 0.25, "events": {"runtime.call.end": {"lost_ack": 1}}}}]})",
                                "p.json", callhook::vendors::catalog());
  INFO(messages(r));
  REQUIRE(r.scenario);
  CHECK(r.scenario->streams[0].faults.lost_ack_p == 0.25);
  CHECK(r.scenario->streams[0].event_faults.at("runtime.call.end").lost_ack_p == 1);
  const auto bad =
      parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1}, "faults": {"lost_ack": 2}}]})",
                     "p.json", callhook::vendors::catalog());
  CHECK(messages(bad) == "p.json: /streams/0/faults/lost_ack: expected a probability from 0 to 1, got 2\n");
}
