#include <catch2/catch.hpp>

#include <cmath>
#include <regex>
#include <set>

#include "support/vendor_session.hpp"
#include "util/time_format.hpp"
#include "vendors/atoms.hpp"

using namespace vtest;

namespace {

const vendors::VendorInfo& info() { return vendors::atoms_info(); }

std::unique_ptr<vendors::Vendor> vendor(const std::string& config = "{}") { return configured(info(), config); }

OJson body(const vendors::Delivery& d) { return OJson::parse(d.body); }

OJson metrics_of(const std::string& config, std::uint64_t seed) {
  const Run r = run(*vendor(config), make_call(seed));
  return body(r.all[2])["metrics"];
}

}  // namespace

TEST_CASE("atoms profile declares its events and delivery defaults", "[atoms]") {
  CHECK(info().name == "atoms");
  CHECK(info().events == std::vector<std::string>{"call.start", "call.end", "analytics.completed", "pre-conversation",
                                                  "post-conversation", "analytics-completed"});
  CHECK(info().defaults.timeout_ms == 30000);
  CHECK(info().defaults.retry.max_attempts == 1);
  CHECK(info().defaults.signing == "x-signature");
}

TEST_CASE("atoms configuration problems name their JSON pointers", "[atoms]") {
  const std::string p = k_pointer;
  const std::string metric =
      "expected a metric: a value, [choices], {\"uniform\": [lo, hi]}, {\"p\": probability} "
      "or {\"weights\": {...}}";
  const std::vector<std::pair<std::string, std::string>> table = {
      {R"({"format": "xml"})", p + "/format: expected one of \"document\", \"live\", got \"xml\""},
      {R"({"analytics_delay": 5})", p + "/analytics_delay: unknown key (did you mean \"analytics_delay_s\"?)"},
      {R"({"analytics_delay_s": -1})", p + "/analytics_delay_s: expected a non-negative number, got -1"},
      {R"({"metrics": {"score": {"normal": [1, 2]}}})", p + "/metrics/score: " + metric + ", got an object"},
      {R"({"metrics": {"score": []}})", p + "/metrics/score: " + metric + ", got an array"},
      {R"({"metrics": {"score": null}})", p + "/metrics/score: " + metric + ", got null"},
      {R"({"metrics": {"score": {"uniform": [5, 1]}}})", p + "/metrics/score/uniform: expected lo <= hi"},
      {R"({"metrics": {"score": {"uniform": [1]}}})", p + "/metrics/score/uniform: expected [lo, hi], got an array"},
      {R"({"metrics": {"ok": {"p": 2}}})", p + "/metrics/ok/p: expected a probability from 0 to 1, got 2"},
      {R"({"metrics": {"tier": {"weights": {"a": 0}}}})",
       p + "/metrics/tier/weights: expected at least one positive weight"},
      {R"({"metrics": {"tier": ["a", {}]}})",
       p + "/metrics/tier/1: expected a string, number or boolean, got an object"},
      {R"({"variables": {"v": [1]}})", p + "/variables/v: expected a string, number, boolean or null, got an array"},
      {R"({"dispositions": {"successful": -1}})",
       p + "/dispositions/successful: expected a non-negative number, got -1"},
      {R"({"agent_id": ""})", p + "/agent_id: expected a non-empty string, got \"\""},
  };
  for (const auto& [config, expected] : table) {
    INFO(config);
    const auto c = configure(info(), config);
    CHECK(c.vendor == nullptr);
    CHECK(c.lines() == std::vector<std::string>{expected});
  }
}

TEST_CASE("atoms sends start, end and analytics in order, analytics after its delay", "[atoms]") {
  const auto call = make_call(3);
  const std::vector<std::pair<std::string, std::int64_t>> delays = {
      {"{}", 5000}, {R"({"analytics_delay_s": 2.5})", 2500}, {R"({"analytics_delay_s": 0})", 0}};
  for (const auto& [config, delay] : delays) {
    INFO(config);
    const Run r = run(*vendor(config), call);
    REQUIRE(r.batches.size() == 1);
    REQUIRE(r.all.size() == 3);
    CHECK(r.all[0].event == "call.start");
    CHECK(r.all[0].due_ms == call.start_ms);
    CHECK(r.all[1].event == "call.end");
    CHECK(r.all[1].due_ms == call.end_ms());
    CHECK(r.all[2].event == "analytics.completed");
    CHECK(r.all[2].due_ms == call.end_ms() + delay);
    for (const auto& d : r.all) {
      CHECK_FALSE(d.blocking);
      CHECK(d.url == k_context.target);
      CHECK(d.event_field == "/event");
      CHECK(body(d)["event"] == d.event);
      CHECK(d.call_id == body(d)["call_id"]);
    }
    // Timestamps are the virtual event times.
    CHECK(body(r.all[2])["timestamp"] == util::iso8601_s(call.end_ms() + delay));
  }
}

TEST_CASE("atoms call.end carries the call's transcript, disposition and variables", "[atoms]") {
  auto call = make_call(4);
  call.custom_parameters = {{"customer_name", "Jane Smith"}, {"issue_type", "billing"}};
  const OJson end = body(run(*vendor(R"({"variables": {"issue_type": "refund", "priority": 2},
                                          "dispositions": {"escalated": 1}})"),
                             call)
                             .all[1]);
  CHECK(end["duration_seconds"] == 95);
  CHECK(end["disposition"] == "escalated");
  REQUIRE(end["transcript"].size() == call.turns.size());
  for (std::size_t i = 0; i < call.turns.size(); ++i) {
    CHECK(end["transcript"][i]["role"] == (call.turns[i].speaker == "user" ? "user" : "agent"));
    CHECK(end["transcript"][i]["content"] == call.turns[i].text);
    CHECK(end["transcript"][i]["timestamp"] == util::iso8601_s(call.start_ms + call.turns[i].start_ms));
  }
  CHECK(end["variables"] == OJson({{"customer_name", "Jane Smith"}, {"issue_type", "refund"}, {"priority", 2}}));

  call.wants_agent = true;
  CHECK(body(run(*vendor(), call).all[1])["disposition"] == "transferred");
  CHECK(body(run(*vendor(R"({"transfer_disposition": "handoff"})"), call).all[1])["disposition"] == "handoff");
}

TEST_CASE("atoms metrics follow their configured syntax", "[atoms]") {
  SECTION("the default metrics are the document's") {
    const OJson m = metrics_of("{}", 1);
    std::vector<std::string> keys;
    for (const auto& item : m.items()) keys.push_back(item.key());
    CHECK(keys ==
          std::vector<std::string>{"satisfaction_score", "issue_resolved", "follow_up_needed", "product_discussed"});
  }
  SECTION("each form draws values of its kind") {
    const std::string config = R"({"metrics": {
      "fixed": "always", "stars": {"uniform": [1, 5]}, "ratio": {"uniform": [0.5, 1.5]},
      "never": {"p": 0}, "always_true": {"p": 1}, "product": ["Widget Pro", "Widget Lite"],
      "tier": {"weights": {"gold": 1, "silver": 0}}}})";
    std::set<std::int64_t> stars;
    std::set<std::string> products;
    for (std::uint64_t seed = 1; seed <= 60; ++seed) {
      const OJson m = metrics_of(config, seed);
      CHECK(m["fixed"] == "always");
      REQUIRE(m["stars"].is_number_integer());
      stars.insert(m["stars"].get<std::int64_t>());
      REQUIRE(m["ratio"].is_number_float());
      const double ratio = m["ratio"];
      CHECK((ratio >= 0.5 && ratio <= 1.5));
      CHECK(std::abs(ratio * 100 - std::round(ratio * 100)) < 1e-9);
      CHECK(m["never"] == false);
      CHECK(m["always_true"] == true);
      products.insert(m["product"].get<std::string>());
      CHECK(m["tier"] == "gold");
    }
    CHECK(stars == std::set<std::int64_t>{1, 2, 3, 4, 5});
    CHECK(products == std::set<std::string>{"Widget Pro", "Widget Lite"});
  }
}

TEST_CASE("atoms live format sends the platform's envelope", "[atoms]") {
  auto call = make_call(7);
  call.turns.resize(2);
  const auto v = vendor(R"({"format": "live", "agent_id": "66aa", "webhook_id": "wh1", "description": "CRM"})");
  const Run r = run(*v, call);
  REQUIRE(r.all.size() == 3);
  CHECK(r.all[0].event == "pre-conversation");
  CHECK(r.all[1].event == "post-conversation");
  CHECK(r.all[2].event == "analytics-completed");
  CHECK(r.all[2].due_ms == call.end_ms() + 5000);
  const std::regex call_id(R"(CALL-\d{13}-[0-9a-f]{6})");
  for (const auto& d : r.all) {
    const OJson b = body(d);
    std::vector<std::string> keys;
    for (const auto& item : b.items()) keys.push_back(item.key());
    CHECK(keys == std::vector<std::string>{"url", "description", "event", "metadata", "id"});
    CHECK(b["url"] == k_context.target);
    CHECK(b["description"] == "CRM");
    CHECK(b["event"] == "66aa." + d.event);
    CHECK(b["id"] == "wh1");
    CHECK(b["metadata"]["agentId"] == "66aa");
    CHECK(b["metadata"]["eventType"] == d.event);
    CHECK(b["metadata"]["conversationType"] == "telephonyInbound");
    CHECK(std::regex_match(b["metadata"]["callId"].get<std::string>(), call_id));
    CHECK(d.call_id == b["metadata"]["callId"]);
  }
  const OJson pre = body(r.all[0])["metadata"];
  CHECK(pre["fromPhone"] == call.user_number);
  CHECK(pre["toPhone"] == call.agent_number);
  for (const char* absent : {"callData", "transcript", "variables", "recordingUrl", "analytics"})
    CHECK_FALSE(pre.contains(absent));
  const OJson post = body(r.all[1])["metadata"];
  CHECK(post["callData"]["fromNumber"] == call.user_number);
  CHECK(post["callData"]["toNumber"] == call.agent_number);
  CHECK(post["callData"]["callDuration"] == 95.3);
  CHECK_FALSE(post.contains("toPhone"));
  CHECK(post["transcript"].size() == 2);
  const std::string recording = post["recordingUrl"];
  CHECK(std::regex_match(recording, std::regex("http://127\\.0\\.0\\.1:4000/recordings/" +
                                               post["callId"].get<std::string>() + "-([0-9]+)\\.wav")));
  const OJson analytics = body(r.all[2])["metadata"]["analytics"];
  CHECK(analytics["successMetrics"].size() == 2);      // issue_resolved, follow_up_needed
  CHECK(analytics["dispositionMetrics"].size() == 2);  // satisfaction_score, product_discussed
  for (const auto& m : analytics["successMetrics"]) CHECK(m["value"].is_boolean());

  call.direction = "outbound";
  const OJson outbound = body(run(*v, call).all[0])["metadata"];
  CHECK(outbound["conversationType"] == "telephonyOutbound");
  CHECK(outbound["fromPhone"] == call.agent_number);
  CHECK(outbound["toPhone"] == call.user_number);
}

TEST_CASE("atoms payloads are deterministic", "[atoms]") {
  for (const char* config : {"{}", R"({"format": "live"})"}) {
    const auto v = vendor(config);
    const Run a = run(*v, make_call(40));
    const Run b = run(*v, make_call(40));
    REQUIRE(a.all.size() == b.all.size());
    for (std::size_t i = 0; i < a.all.size(); ++i) CHECK(a.all[i].body == b.all[i].body);
    CHECK(run(*v, make_call(41)).all[0].call_id != a.all[0].call_id);
  }
}
