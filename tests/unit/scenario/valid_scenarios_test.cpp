// Valid scenario text parsed into the structs the rest of the pipeline reads.
#include <catch2/catch.hpp>

#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook::scenario;
using callhook::util::Json;

namespace {

Scenario parse_ok(const std::string& text) {
  const LoadResult result = parse_scenario(text, "scenarios/test.json", callhook::vendors::catalog());
  INFO(result.problems.format(result.source));
  REQUIRE(result.problems.empty());
  REQUIRE(result.scenario.has_value());
  return *result.scenario;
}

// A one-stream scenario whose "calls" object is `calls`.
std::string with_calls(const std::string& calls) {
  return R"({"streams": [{"vendor": "voiceflow", "calls": )" + calls + "}]}";
}

}  // namespace

TEST_CASE("a full scenario with comments fills every field", "[scenario][valid]") {
  const Scenario s = parse_ok(R"({
    // line comments and /* block comments */ are allowed
    "name": "voicebot-handshake",
    "seed": 18446744073709551615,
    "epoch": "2025-07-16T11:40:57Z",
    "speed": 600,
    "concurrency": 16,
    "streams": [{
      "name": "bots",
      "vendor": "voicebot",
      "target": "http://127.0.0.1:3000/hooks",
      "vendor_config": { "bot_name": "support-bot", "insights": { "trigger_interval_sec": 30 } },
      "calls": {
        "count": 20, "for_s": 90.5, "max_concurrent": 8,
        "arrival": { "rate_per_s": 2 },
        "duration_s": { "uniform": [40, 240] },
        "turns": { "normal": [6, 2] },
        "direction": { "inbound": 0.7, "outbound": 0.3 },
        "country": "44",
        "transfer_p": 0.1, "return_p": 0.05,
        "custom_parameters": { "tier": "gold" }
      },
      "delivery": {
        "timeout_ms": 5000, "connect_timeout_ms": 2000, "ordering": "strict",
        "retry": { "max_attempts": 4, "backoff_ms": [1000, 5000, 30000], "on": ["5xx", "timeout"], "retry_after": false },
        "signing": { "scheme": "standard", "secrets": ["whsec_YQ==", "whsec_Yg=="] },
        "events": { "session_start": { "timeout_ms": 3000 } }
      },
      "faults": {
        "delay": { "ms": { "exponential": 50 }, "p": 0.5 },
        "duplicate": { "p": 0.05, "copies": 2, "spacing_ms": 100, "new_id": true },
        "reorder": { "p": 0.2, "window_ms": 2000, "patterns": ["end_before_start"] },
        "drop": 0.01,
        "stale_timestamp": { "p": 0.02, "by_ms": 900000 },
        "bad_signature": 0.03,
        "schema_drift": { "field_p": 0.1, "event_p": 0.2 },
        "events": { "session_end": { "drop": 0.5 } }
      },
      "overrides": { "session_end": { "/disposition": "abandoned", "/end_time": null } },
      "probe": { "url": "http://127.0.0.1:3000/calls/{call_id}", "expect": { "/status": "ended" }, "after_ms": 500 }
    }],
    "script": [
      { "at_ms": 0, "call": "A", "event": "session_end", "copies": 2 },
      { "at_ms": 15, "call": "A", "event": "session_start", "stream": 0, "overrides": { "/x": 1 } }
    ],
    "expect": { "failed": 0, "p99_latency_ms": 250.5, "min_delivered_ratio": 0.99 }
  })");

  CHECK(s.source == "scenarios/test.json");
  CHECK(s.name == "voicebot-handshake");
  CHECK(s.seed == 18446744073709551615ULL);
  CHECK(s.epoch_ms == 1752666057000);
  CHECK(s.speed == 600);
  CHECK(s.concurrency == 16);
  REQUIRE(s.streams.size() == 1);
  const Stream& st = s.streams[0];
  CHECK(st.name == "bots");
  CHECK(st.vendor == "voicebot");
  CHECK(st.target == "http://127.0.0.1:3000/hooks");
  CHECK(st.target_pointer == "/streams/0/target");
  CHECK(st.vendor_config["insights"]["trigger_interval_sec"] == 30);
  CHECK(st.vendor_config_pointer == "/streams/0/vendor_config");

  const Calls& c = st.calls;
  CHECK(c.count == 20);
  CHECK(c.for_s == 90.5);
  CHECK(c.max_concurrent == 8);
  CHECK(c.arrival.kind == Arrival::Kind::Constant);
  CHECK(c.arrival.rate_per_s == 2);
  CHECK(c.duration_s.kind == Distribution::Kind::Uniform);
  CHECK(c.duration_s.a == 40);
  CHECK(c.duration_s.b == 240);
  CHECK(c.turns.kind == Distribution::Kind::Normal);
  CHECK(c.direction == Mix{{"inbound", 0.7}, {"outbound", 0.3}});
  CHECK(c.platform.empty());
  CHECK(c.country == "44");
  CHECK(c.transfer_p == 0.1);
  CHECK(c.return_p == 0.05);
  CHECK(c.custom_parameters == std::map<std::string, std::string>{{"tier", "gold"}});

  const DeliverySettings& d = st.delivery;
  CHECK(d.timeout_ms == 5000);
  CHECK(d.connect_timeout_ms == 2000);
  CHECK(d.ordering == "strict");
  REQUIRE(d.retry.has_value());
  CHECK(d.retry->max_attempts == 4);
  CHECK(d.retry->backoff_ms == std::vector<std::int64_t>{1000, 5000, 30000});
  CHECK(d.retry->on_5xx);
  CHECK(d.retry->on_timeout);
  CHECK_FALSE(d.retry->on_429);
  CHECK_FALSE(d.retry->on_connect);
  CHECK_FALSE(d.retry->on_4xx);
  CHECK_FALSE(d.retry->honour_retry_after);
  REQUIRE(d.signing.has_value());
  CHECK(d.signing->scheme == "standard");
  CHECK(d.signing->secrets == std::vector<std::string>{"whsec_YQ==", "whsec_Yg=="});
  // Per-event settings are merged over the stream's.
  REQUIRE(st.event_delivery.count("session_start") == 1);
  const DeliverySettings& start = st.event_delivery.at("session_start");
  CHECK(start.timeout_ms == 3000);
  CHECK(start.connect_timeout_ms == 2000);
  CHECK(start.retry->max_attempts == 4);
  CHECK(start.signing->scheme == "standard");

  const FaultPlan& f = st.faults;
  REQUIRE(f.delay.has_value());
  CHECK(f.delay->ms.kind == Distribution::Kind::Exponential);
  CHECK(f.delay->ms.a == 50);
  CHECK(f.delay->p == 0.5);
  REQUIRE(f.duplicate.has_value());
  CHECK(f.duplicate->p == 0.05);
  CHECK(f.duplicate->copies == 2);
  CHECK(f.duplicate->spacing_ms == 100);
  CHECK(f.duplicate->new_id);
  REQUIRE(f.reorder.has_value());
  CHECK(f.reorder->window_ms == 2000);
  CHECK(f.reorder->patterns == std::vector<std::string>{"end_before_start"});
  CHECK(f.drop_p == 0.01);
  CHECK(f.stale_timestamp_p == 0.02);
  CHECK(f.stale_by_ms == 900000);
  CHECK(f.bad_signature_p == 0.03);
  CHECK(f.drift_field_p == 0.1);
  CHECK(f.drift_event_p == 0.2);
  REQUIRE(st.event_faults.count("session_end") == 1);
  const FaultPlan& end = st.event_faults.at("session_end");
  CHECK(end.drop_p == 0.5);
  CHECK(end.duplicate->copies == 2);  // the rest comes from the stream's plan
  CHECK(end.bad_signature_p == 0.03);

  CHECK(st.overrides.at("session_end").at("/disposition") == "abandoned");
  CHECK(st.overrides.at("session_end").at("/end_time").is_null());
  REQUIRE(st.probe.has_value());
  CHECK(st.probe->url_template == "http://127.0.0.1:3000/calls/{call_id}");
  CHECK(st.probe->expect.at("/status").kind == ProbeMatcher::Kind::Equals);
  CHECK(st.probe->expect.at("/status").value == "ended");
  CHECK(st.probe->after_ms == 500);

  REQUIRE(s.script.size() == 2);
  CHECK(s.script[0].at_ms == 0);
  CHECK(s.script[0].call == "A");
  CHECK(s.script[0].event == "session_end");
  CHECK(s.script[0].copies == 2);
  CHECK(s.script[1].at_ms == 15);
  CHECK(s.script[1].overrides.at("/x") == 1);
  CHECK(s.script[1].copies == 1);

  // A stream with a probe adds "probe_failures": 0 when the block sets no limit of its own.
  CHECK(s.expect ==
        Expectations{{"failed", 0}, {"p99_latency_ms", 250.5}, {"min_delivered_ratio", 0.99}, {"probe_failures", 0}});
}

TEST_CASE("absent keys take their documented defaults", "[scenario][valid]") {
  const Scenario s = parse_ok(R"({"streams": [{"vendor": "voicebot", "calls": {"count": 3}},
                                               {"vendor": "voicebot", "calls": {"count": 1}}]})");
  CHECK(s.name == "test");  // the file name without its extension
  CHECK(s.seed == 1);
  CHECK(s.epoch_ms == 1752666057000);
  CHECK(s.speed == 0);
  CHECK(s.concurrency == 64);
  CHECK(s.streams[0].name == "voicebot-0");
  CHECK(s.streams[1].name == "voicebot-1");
  CHECK(s.streams[0].target.empty());
  CHECK(s.streams[0].vendor_config == Json::object());
  const Calls& c = s.streams[0].calls;
  CHECK(c.arrival.kind == Arrival::Kind::Constant);
  CHECK(c.arrival.rate_per_s == 1);
  CHECK_FALSE(c.for_s.has_value());
  CHECK_FALSE(c.max_concurrent.has_value());
  CHECK(c.duration_s.kind == Distribution::Kind::Fixed);
  CHECK(c.duration_s.a == 60);
  CHECK(c.turns.a == 4);
  CHECK(c.direction == Mix{{"inbound", 1}});
  CHECK(c.country == "1");
  CHECK_FALSE(s.streams[0].delivery.timeout_ms.has_value());
  CHECK_FALSE(s.streams[0].delivery.retry.has_value());
  CHECK_FALSE(s.streams[0].delivery.signing.has_value());
  CHECK(s.streams[0].delivery.ordering == "timeline");
  CHECK_FALSE(s.streams[0].faults.any());
  CHECK_FALSE(s.streams[0].probe.has_value());
  CHECK(s.script.empty());
  CHECK(s.expect.empty());
}

TEST_CASE("\"speed\" is a number from 0.001 to 1000000 or \"max\"", "[scenario][valid]") {
  const std::vector<std::pair<std::string, double>> table = {{"\"max\"", 0}, {"1", 1},         {"0.5", 0.5},
                                                             {"600", 600},   {"0.001", 0.001}, {"1000000", 1e6}};
  for (const auto& [text, speed] : table) {
    CAPTURE(text);
    CHECK(parse_ok(R"({"speed": )" + text + R"(, "streams": [{"vendor": "atoms", "calls": {"count": 1}}]})").speed ==
          speed);
  }
}

TEST_CASE("\"max_duration_s\" is a run's wall-time limit, none by default", "[scenario][valid]") {
  const std::string streams = R"("streams": [{"vendor": "atoms", "calls": {"count": 1}}])";
  CHECK(parse_ok("{" + streams + "}").max_duration_s == 0);
  CHECK(parse_ok(R"({"max_duration_s": 1.5, )" + streams + "}").max_duration_s == 1.5);
  CHECK(parse_ok(R"({"max_duration_s": 2678400, )" + streams + "}").max_duration_s == 2678400);
  for (const char* bad : {"0", "-1", "2678401", "\"60\""}) {
    CAPTURE(bad);
    const LoadResult result = parse_scenario(std::string(R"({"max_duration_s": )") + bad + ", " + streams + "}",
                                             "test.json", callhook::vendors::catalog());
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems.list()[0].pointer == "/max_duration_s");
  }
}

TEST_CASE("distribution forms", "[scenario][valid]") {
  using K = Distribution::Kind;
  struct Row {
    std::string json;
    K kind;
    double a, b;
  };
  const std::vector<Row> table = {
      {"45", K::Fixed, 45, 0},
      {"{\"fixed\": 30.5}", K::Fixed, 30.5, 0},
      {"{\"uniform\": [40, 240]}", K::Uniform, 40, 240},
      {"{\"uniform\": [5, 5]}", K::Uniform, 5, 5},
      {"{\"normal\": [120, 30]}", K::Normal, 120, 30},
      {"{\"exponential\": 90}", K::Exponential, 90, 0},
      {"{\"lognormal\": [4.5, 0.6]}", K::Lognormal, 4.5, 0.6},
  };
  for (const auto& row : table) {
    CAPTURE(row.json);
    const Scenario s = parse_ok(with_calls(R"({"count": 1, "duration_s": )" + row.json + "}"));
    const Distribution& d = s.streams[0].calls.duration_s;
    CHECK(d.kind == row.kind);
    CHECK(d.a == row.a);
    CHECK(d.b == row.b);
  }
}

TEST_CASE("arrival forms", "[scenario][valid]") {
  using K = Arrival::Kind;
  {
    const Arrival a = parse_ok(with_calls(R"({"count": 5, "arrival": {"poisson": 3.5}})")).streams[0].calls.arrival;
    CHECK(a.kind == K::Poisson);
    CHECK(a.rate_per_s == 3.5);
  }
  {
    const Arrival a = parse_ok(with_calls(
                                   R"({"arrival": {"start_rate": 1, "stages": [{"duration_s": 60, "target_rate": 200},
                                                                               {"duration_s": 30, "target_rate": 0}]}})"))
                          .streams[0]
                          .calls.arrival;
    CHECK(a.kind == K::Ramp);
    CHECK(a.start_rate == 1);
    REQUIRE(a.stages.size() == 2);
    CHECK(a.stages[0].duration_s == 60);
    CHECK(a.stages[0].target_rate == 200);
    CHECK(a.stages[1].target_rate == 0);
  }
  {
    // A list is bounded by itself and is numbered in time order.
    const Arrival a = parse_ok(with_calls(R"({"arrival": {"at_ms": [150, 0, 40]}})")).streams[0].calls.arrival;
    CHECK(a.kind == K::List);
    CHECK(a.at_ms == std::vector<std::int64_t>{0, 40, 150});
  }
  {
    const Calls c = parse_ok(with_calls(R"({"for_s": 30, "arrival": {"rate_per_s": 0.25}})")).streams[0].calls;
    CHECK(c.arrival.kind == K::Constant);
    CHECK(c.arrival.rate_per_s == 0.25);
    CHECK(c.for_s == 30);
    CHECK_FALSE(c.count.has_value());
  }
}

TEST_CASE("direction and platform take a name or a weighted mix", "[scenario][valid]") {
  const Calls c =
      parse_ok(with_calls(
                   R"({"count": 1, "direction": "outbound", "platform": {"twilio": 3, "web-voice": 1, "vonage": 0}})"))
          .streams[0]
          .calls;
  CHECK(c.direction == Mix{{"outbound", 1}});
  // Object keys come back in sorted order, which keeps the mix deterministic.
  CHECK(c.platform == Mix{{"twilio", 3}, {"vonage", 0}, {"web-voice", 1}});
}

TEST_CASE("retry and signing shorthands", "[scenario][valid]") {
  SECTION("exponential back-off with its defaults filled in") {
    const auto retry = parse_ok(R"({"streams": [{"vendor": "atoms", "calls": {"count": 1},
        "delivery": {"retry": {"max_attempts": 5, "exponential": {"initial_ms": 500, "jitter": 0.2}}}}]})")
                           .streams[0]
                           .delivery.retry;
    REQUIRE(retry.has_value());
    CHECK(retry->max_attempts == 5);
    CHECK(retry->backoff_ms.empty());
    CHECK(retry->initial_ms == 500);
    CHECK(retry->multiplier == 2);
    CHECK(retry->max_ms == 60000);
    CHECK(retry->jitter == 0.2);
    CHECK(retry->on_5xx);
    CHECK(retry->on_429);
    CHECK(retry->on_timeout);
    CHECK(retry->on_connect);
    CHECK_FALSE(retry->on_4xx);
    CHECK(retry->honour_retry_after);
  }
  SECTION("a lone secret takes the vendor's scheme") {
    const std::vector<std::pair<std::string, std::string>> table = {{"voiceflow", "svix"}, {"atoms", "x-signature"}};
    for (const auto& [vendor, scheme] : table) {
      CAPTURE(vendor);
      const auto signing = parse_ok(R"({"streams": [{"vendor": ")" + vendor +
                                    R"(", "calls": {"count": 1}, "delivery": {"signing": {"secret": "czNjcmV0"}}}]})")
                               .streams[0]
                               .delivery.signing;
      REQUIRE(signing.has_value());
      CHECK(signing->scheme == scheme);
      CHECK(signing->secrets == std::vector<std::string>{"czNjcmV0"});
    }
  }
  SECTION("without the vendor's scheme in the catalog, a lone secret is kept for the engine to resolve") {
    Catalog catalog = callhook::vendors::catalog();
    catalog.signing.clear();
    const LoadResult result = parse_scenario(
        R"({"streams": [{"vendor": "voicebot", "calls": {"count": 1}, "delivery": {"signing": {"secret": "k"}}}]})",
        "x.json", catalog);
    REQUIRE(result.scenario.has_value());
    const auto& signing = result.scenario->streams[0].delivery.signing;
    REQUIRE(signing.has_value());
    CHECK(signing->scheme == "none");
    CHECK(signing->secrets == std::vector<std::string>{"k"});
  }
  SECTION("a per-event signing keeps the stream's secrets") {
    const Stream st = parse_ok(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
        "delivery": {"signing": {"secrets": ["azE="]}, "events": {"runtime.call.end": {"signing": {"scheme": "standard"}}}}}]})")
                          .streams[0];
    CHECK(st.delivery.signing->scheme == "svix");
    CHECK(st.event_delivery.at("runtime.call.end").signing->scheme == "standard");
    CHECK(st.event_delivery.at("runtime.call.end").signing->secrets == std::vector<std::string>{"azE="});
  }
  SECTION("a per-event scheme \"none\" leaves that event unsigned, whatever the stream's secrets") {
    const Stream st = parse_ok(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
        "delivery": {"signing": {"secrets": ["azE="]}, "events": {"runtime.call.end": {"signing": {"scheme": "none"}}}}}]})")
                          .streams[0];
    CHECK(st.delivery.signing->scheme == "svix");
    CHECK(st.event_delivery.at("runtime.call.end").signing->scheme == "none");
    CHECK(st.event_delivery.at("runtime.call.end").signing->secrets.empty());
  }
}

TEST_CASE("stale_timestamp takes a probability or an object", "[scenario][valid]") {
  const FaultPlan plain = parse_ok(R"({"streams": [{"vendor": "atoms", "calls": {"count": 1},
      "faults": {"stale_timestamp": 0.25}}]})")
                              .streams[0]
                              .faults;
  CHECK(plain.stale_timestamp_p == 0.25);
  CHECK(plain.stale_by_ms == 600000);
  CHECK(plain.any());
}

TEST_CASE("a script-only stream generates no calls", "[scenario][valid]") {
  const Scenario s = parse_ok(R"({"streams": [{"vendor": "voiceflow"}],
      "script": [{"at_ms": 0, "call": "A", "event": "runtime.call.end"},
                 {"at_ms": 15, "call": "A", "event": "runtime.call.start"}]})");
  CHECK(s.streams[0].calls.count == 0);
  REQUIRE(s.script.size() == 2);
  CHECK(s.script[1].event == "runtime.call.start");
  CHECK(s.script[1].stream == 0);
}

TEST_CASE("an unknown vendor is reported once, not once per event", "[scenario][valid]") {
  const LoadResult result = parse_scenario(R"({"streams": [{"vendor": "nobody", "calls": {"count": 1},
      "overrides": {"anything": {"/a": 1}}, "faults": {"events": {"x": {"drop": 1}}}}]})",
                                           "x.json", callhook::vendors::catalog());
  CHECK_FALSE(result.scenario.has_value());
  CHECK(result.problems.size() == 1);
}

TEST_CASE("parse_scenario reports invalid JSON with line, column and pointer", "[scenario][valid]") {
  const LoadResult result =
      parse_scenario("{\n  \"seed\": 7,\n  \"streams\": [}\n}", "x.json", callhook::vendors::catalog());
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems.list()[0].pointer == "/streams/0");
  CHECK(result.problems.format("x.json").rfind("x.json: /streams/0: invalid JSON at line 3, column 15: ", 0) == 0);
}

TEST_CASE("parse_scenario refuses nesting deeper than the limit, naming where", "[scenario][valid][limits]") {
  // 100,000 levels once overflowed the stack while a message described the value.
  const std::string deep = "{\n\"seed\": " + std::string(100000, '[') + std::string(100000, ']') + "}";
  const LoadResult result = parse_scenario(deep, "x.json", callhook::vendors::catalog());
  REQUIRE(result.problems.size() == 1);
  std::string pointer = "/seed";
  for (int i = 0; i < 127; ++i) pointer += "/0";
  CHECK(result.problems.list()[0].pointer == pointer);
  CHECK(result.problems.list()[0].message == "nested deeper than 128 levels at line 2, column 136");

  // 128 levels are allowed (and then the type is wrong).
  const std::string deepest = "{\"seed\": " + std::string(127, '[') + std::string(127, ']') + "}";
  const LoadResult allowed = parse_scenario(deepest, "x.json", callhook::vendors::catalog());
  REQUIRE_FALSE(allowed.problems.empty());
  CHECK(allowed.problems.list()[0].message.find("nested") == std::string::npos);
}

TEST_CASE("a vendor without platforms accepts none", "[scenario][valid]") {
  Catalog catalog = callhook::vendors::catalog();
  catalog.platforms["voicekit"].clear();
  const LoadResult result = parse_scenario(
      R"({"streams": [{"vendor": "voicekit", "calls": {"count": 1, "platform": "phone"}}]})", "x.json", catalog);
  CHECK(result.problems.format("x.json") ==
        "x.json: /streams/0/calls/platform: unknown platform \"phone\" for vendor \"voicekit\" (there are none)\n");
}
