#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sink/event_name.hpp"
#include "support/vendor_session.hpp"
#include "util/url.hpp"

using namespace callhook::sink;
using callhook::util::form_decode;
using callhook::util::form_value;

TEST_CASE("event_name follows the vendors' ways of naming events") {
  const std::string json = "application/json";
  const std::string form = "application/x-www-form-urlencoded";
  struct Case {
    std::string what, content_type, body, query, expected;
  };
  const std::vector<Case> cases = {
      {"Voiceflow type", json, R"({"type":"runtime.call.start","time":1})", "", "runtime.call.start"},
      {"VoiceKit event", json, R"({"event":"call_ended","data":{}})", "", "call_ended"},
      {"Event key", json, R"({"Event":"Call.Complete"})", "", "Call.Complete"},
      {"type before event", json, R"({"event":"b","type":"a"})", "", "a"},
      {"event before Event", json, R"({"Event":"b","event":"a"})", "", "a"},
      {"non-string type is skipped", json, R"({"type":3,"event":"call.end"})", "", "call.end"},
      {"VoiceBot turn_complete is a transcript event", json,
       R"({"session_id":"s","trigger_reason":"turn_complete","events":[]})", "", "transcript_events"},
      {"VoiceBot turn_progress is a transcript event", json, R"({"trigger_reason":"turn_progress"})", "",
       "transcript_events"},
      {"VoiceBot start", json, R"({"trigger_reason":"start"})", "", "session_start"},
      {"VoiceBot timer", json, R"({"trigger_reason":"timer"})", "", "insights_events"},
      {"VoiceBot end", json, R"({"trigger_reason":"end"})", "", "session_end"},
      {"VoiceBot pre_agent_transfer", json, R"({"trigger_reason":"pre_agent_transfer"})", "", "pre_agent_transfer"},
      {"event key beats trigger_reason", json, R"({"trigger_reason":"start","event":"x"})", "", "x"},
      {"query Event beats trigger_reason", json, R"({"trigger_reason":"start"})", "Event=Call.Initiate",
       "Call.Initiate"},
      {"Fone Dynamics form body", form, "Call.Id=1&Event=Call.Initiate&Call.From=%2B61400", "", "Call.Initiate"},
      {"form content type with charset", form + "; charset=utf-8", "Event=Call.Complete", "", "Call.Complete"},
      {"form value decoding", form, "Event=Call+Complete%21", "", "Call Complete!"},
      {"Fone Dynamics GET query", "", "", "Call.Id=1&Event=Call.Complete", "Call.Complete"},
      {"form body ignored without form content type", "text/plain", "Event=X", "", ""},
      {"form body beats query", form, "Event=A", "Event=B", "A"},
      {"event key beats query", json, R"({"event":"a"})", "Event=B", "a"},
      {"JSON with leading space", json, "  \n{\"type\":\"t\"}", "", "t"},
      {"broken JSON", json, R"({"type":"t")", "", ""},
      {"JSON array", json, R"([{"type":"t"}])", "", ""},
      {"Exotel StatusCallback form", form, "CallSid=ab&DateUpdated=2025-07-16+17%3A11%3A00&Status=completed", "",
       "status_callback"},
      {"Exotel Passthru query", "", "", "CallSid=ab&CallFrom=0987&CallType=completed", "passthru"},
      {"Exotel parameters in a non-form body are not read", "text/plain", "DateUpdated=x", "", ""},
      {"an Event parameter names the event before Exotel's", form, "Event=Call.Complete&DateUpdated=x", "",
       "Call.Complete"},
      {"nothing", "", "", "", ""},
      {"query key is case-sensitive", "", "", "event=x", ""},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    CHECK(event_name(c.content_type, c.body, c.query) == c.expected);
  }
}

TEST_CASE("form_value decodes the first matching key") {
  CHECK(form_value("a=1&b=2", "b") == std::optional<std::string>("2"));
  CHECK(form_value("a=1&a=2", "a") == std::optional<std::string>("1"));
  CHECK(form_value("a&b=2", "a") == std::optional<std::string>(""));
  CHECK(form_value("Call%2EId=7", "Call.Id") == std::optional<std::string>("7"));
  CHECK_FALSE(form_value("a=1", "b").has_value());
  CHECK_FALSE(form_value("", "a").has_value());
  CHECK(form_decode("a+b%2Bc%zz%4") == "a b+c%zz%4");
}

TEST_CASE("call_id reads each vendor's call id") {
  const std::string json = "application/json";
  CHECK(call_id(json, R"({"external_id":"CA1","trigger_reason":"start"})", "") == "CA1");
  CHECK(call_id(json, R"({"event":"call.end","call_id":"call_x"})", "") == "call_x");
  CHECK(call_id(json, R"({"event":"post-conversation","callData":{"callId":"CALL-1"}})", "") == "CALL-1");
  CHECK(call_id(json, R"({"event":"call_ended","data":{"call_id":1001}})", "") == "1001");
  CHECK(call_id(json, R"({"type":"runtime.call.end","data":{"metadata":{"callSid":"CAff"}}})", "") == "CAff");
  CHECK(call_id("application/x-www-form-urlencoded", "Event=Call.Complete&Call.Sid=FD1", "") == "FD1");
  CHECK(call_id("", "", "Event=Call.Complete&Call.Sid=FD2") == "FD2");
  CHECK(call_id(json, R"({"type":"x"})", "").empty());
}

TEST_CASE("delivery_id prefers the signature id header and hashes bodies otherwise") {
  CHECK(delivery_id({{"svix-id", "msg_1"}}, "{}") == "msg_1");
  CHECK(delivery_id({{"Webhook-Id", "evt_2"}}, "{}") == "evt_2");
  CHECK(delivery_id({}, "{\"a\":1}") == delivery_id({}, "{\"a\":1}"));
  CHECK(delivery_id({}, "{\"a\":1}") != delivery_id({}, "{\"a\":2}"));
  CHECK(delivery_id({}, "x").rfind("body:", 0) == 0);
}

TEST_CASE("the sink names every vendor's webhooks and calls as the profiles send them") {
  const auto call = vtest::make_call(11);
  for (const auto& v : callhook::vendors::registry()) {
    INFO(v.name);
    // A GET carries its parameters in the query.
    for (const std::string config : {R"({})", R"({"method": "GET"})"}) {
      if (config != "{}" && !vtest::configure(v, config).vendor) continue;  // only vendors that offer GET
      const auto sent = vtest::run(*vtest::configured(v, config), call).all;
      REQUIRE_FALSE(sent.empty());
      for (const auto& d : sent) {
        INFO(d.event << " " << d.method);
        const auto mark = d.url.find('?');
        const std::string query = mark == std::string::npos ? "" : d.url.substr(mark + 1);
        CHECK(event_name(d.content_type, d.body, query) == d.event);
        // Where the webhook carries the profile's call id, that is what is read;
        // Voiceflow's session webhooks carry only the session id, read instead.
        const std::string found = call_id(d.content_type, d.body, query);
        CHECK_FALSE(found.empty());
        if ((d.body + query).find(d.call_id) != std::string::npos) CHECK(found == d.call_id);
      }
    }
  }
}
