#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "support/vendor_session.hpp"
#include "vendors/voicebot.hpp"

using namespace vtest;

namespace {

const vendors::VendorInfo& info() { return vendors::voicebot_info(); }

std::unique_ptr<vendors::Vendor> vendor(const std::string& config = "{}") { return configured(info(), config); }

OJson body(const vendors::Delivery& d) { return OJson::parse(d.body); }

const std::string k_target = "http://127.0.0.1:3000/hooks";

std::string good_answer() {
  return R"({"http_code":200,"response":{"data":{
    "greeting_message":{"text":"Welcome to Acme"},
    "session_constants":{"phone_number":"x_call_from"},
    "conversation_assistant_id":"",
    "webhook_config":{
      "session_end":{"url":"https://receiver.test/end"},
      "pre_agent_transfer":{"url":"https://receiver.test/transfer"},
      "insights_events":{"url":"https://receiver.test/insights","trigger_type":"timer","trigger_interval_sec":10},
      "transcript_events":{"url":"https://receiver.test/transcripts"}}}}})";
}

// The configured endpoint of every delivery after session_start, and the
// default 30 s insight timer.
void check_configured_endpoints(const Run& r) {
  for (const auto& d : r.all) CHECK(d.url == k_target);
  const auto insights = of_event(r, "insights_events");
  for (std::size_t i = 1; i < insights.size(); ++i) CHECK(insights[i].due_ms - insights[i - 1].due_ms == 30000);
}

// "/0/0/...": the pointer of the innermost of n nested arrays.
std::string zeros(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "/0";
  return out;
}

}  // namespace

TEST_CASE("voicebot profile declares its events and delivery defaults", "[voicebot]") {
  CHECK(info().name == "voicebot");
  CHECK(info().events == std::vector<std::string>{"session_start", "session_end", "pre_agent_transfer",
                                                  "insights_events", "transcript_events"});
  CHECK(info().platforms.front() == "pstn");
  CHECK(info().defaults.timeout_ms == 15000);
  CHECK(info().defaults.retry.max_attempts == 3);
  CHECK(info().defaults.retry.backoff_ms == std::vector<std::int64_t>{1000, 5000});
  CHECK(info().defaults.signing == "none");
}

TEST_CASE("voicebot configuration problems name their JSON pointers", "[voicebot]") {
  const std::string p = k_pointer;
  const std::vector<std::pair<std::string, std::string>> table = {
      {R"({"bot_nam": "x"})", p + "/bot_nam: unknown key (did you mean \"bot_name\"?)"},
      {R"({"network_type": "isdn"})",
       p + "/network_type: expected one of \"pstn\", \"sip\", got \"isdn\" (did you mean \"pstn\"?)"},
      {R"({"insights": {"trigger_interval_sec": "30"}})",
       p + "/insights/trigger_interval_sec: expected a positive integer, got \"30\""},
      {R"({"insights": {"trigger_type": "turn"}})",
       p + "/insights/trigger_type: expected one of \"timer\", got \"turn\""},
      {R"({"insights": {"types": ["sentiment", "sentiment"]}})", p + "/insights/types/1: listed twice"},
      {R"({"webhooks": {"session_end": {"url": "ftp://x"}}})",
       p + "/webhooks/session_end/url: expected an http(s) URL, got \"ftp://x\""},
      {R"({"webhooks": {"insight_events": {}}})",
       p + "/webhooks/insight_events: unknown key (did you mean \"insights_events\"?)"},
      {R"({"transcripts": {"progress_after_ms": -1}})",
       p + "/transcripts/progress_after_ms: expected a non-negative integer, got -1"},
      {R"({"custom_parameters": {"a": "1", "b": "2", "c": "3", "d": "4"}})",
       p + "/custom_parameters: at most 3 custom parameters, got 4"},
      {R"({"custom_parameters": {"a": ")" + std::string(260, 'v') + R"("}})",
       p + "/custom_parameters: at most 256 characters in keys and values together, got 261"},
      {R"({"custom_parameters": {"call_setup_url": "nope"}})",
       p + "/custom_parameters/call_setup_url: expected an http(s) URL, got \"nope\""},
      {R"({"custom_parameters": {"a": 1}})", p + "/custom_parameters/a: expected a string, got 1"},
  };
  for (const auto& [config, expected] : table) {
    INFO(config);
    const auto c = configure(info(), config);
    CHECK(c.vendor == nullptr);
    CHECK(c.lines() == std::vector<std::string>{expected});
  }
  const auto fine = configure(info(), R"({"bot_name": "b", "network_type": "sip", "custom_parameters": {"a": "1"}})");
  CHECK(fine.vendor != nullptr);
  CHECK(fine.problems.empty());
}

TEST_CASE("voicebot starts with a blocking session_start at the call's start", "[voicebot]") {
  const auto v = vendor();
  const auto call = make_call(3);
  auto session = v->open(call);
  const auto first = session->start();
  REQUIRE(first.size() == 1);
  CHECK(first[0].event == "session_start");
  CHECK(first[0].blocking);
  CHECK(first[0].due_ms == call.start_ms);
  CHECK(first[0].url == k_target);
  CHECK(first[0].method == "POST");
  CHECK(first[0].content_type == "application/json");
  CHECK(first[0].event_field == "/trigger_reason");
  const OJson b = body(first[0]);
  CHECK(b["session_state"] == "session_start");
  CHECK(b["trigger_reason"] == "start");
  CHECK(b["end_time"].is_null());
  CHECK(first[0].call_id == b["external_id"]);
}

TEST_CASE("voicebot applies a good session_start answer to that session only", "[voicebot]") {
  const auto v = vendor();
  auto call = make_call(5);
  call.wants_agent = true;
  const Run a = run(*v, call, [](const vendors::Delivery& d) {
    return d.event == "session_start" ? ok(good_answer()) : ok(R"({"http_code":200,"response":{"data":{}}})");
  });
  CHECK(a.findings.empty());
  for (const auto& d : a.all) {
    INFO(d.event);
    if (d.event == "session_start") CHECK(d.url == k_target);
    if (d.event == "session_end") CHECK(d.url == "https://receiver.test/end");
    if (d.event == "pre_agent_transfer") CHECK(d.url == "https://receiver.test/transfer");
    if (d.event == "insights_events") CHECK(d.url == "https://receiver.test/insights");
    if (d.event == "transcript_events") CHECK(d.url == "https://receiver.test/transcripts");
  }
  const auto insights = of_event(a, "insights_events");
  REQUIRE(insights.size() >= 1);
  CHECK(insights[0].due_ms == call.start_ms + 10000);
  // The greeting replaces the bot's opening line.
  const auto transcripts = of_event(a, "transcript_events");
  REQUIRE(!transcripts.empty());
  bool greeted = false;
  for (const auto& d : transcripts) {
    const OJson s = body(d)["events"][0]["event_data"]["transcripts"][0];
    if (s["status"] == "completed" && s["sequence"] == 1)
      greeted = s["transcript_segments"][0]["text"] == "Welcome to Acme";
  }
  CHECK(greeted);

  // Another session of the same stream answered with empty data keeps the
  // configured endpoints and the original opening line.
  const Run b =
      run(*v, make_call(6), [](const vendors::Delivery&) { return ok(R"({"http_code":200,"response":{"data":{}}})"); });
  CHECK(b.findings.empty());
  check_configured_endpoints(b);
  const OJson first_turn = body(of_event(b, "transcript_events")[1])["events"][0]["event_data"]["transcripts"][0];
  CHECK(first_turn["transcript_segments"][0]["text"] == "Hello! How may I help you?");
}

TEST_CASE("voicebot puts the greeting first when the caller speaks first", "[voicebot]") {
  auto call = make_call(8);
  call.turns.erase(call.turns.begin());
  const Run r = run(*vendor(R"({"transcripts": {"progress": false}})"), call, [](const vendors::Delivery&) {
    return ok(R"({"http_code":200,"response":{"data":{"greeting_message":{"text":"Hi there"}}}})");
  });
  CHECK(r.findings.empty());
  const auto transcripts = of_event(r, "transcript_events");
  REQUIRE(transcripts.size() == call.turns.size() + 1);
  const OJson first = body(transcripts[0])["events"][0]["event_data"]["transcripts"][0]["transcript_segments"][0];
  CHECK(first["speaker"] == "assistant");
  CHECK(first["text"] == "Hi there");
}

TEST_CASE("voicebot falls back to the configured endpoints on a bad session_start answer", "[voicebot]") {
  const std::string tail = "; using the configured endpoints";
  const std::string data = R"({"http_code":200,"response":{"data":)";
  const std::vector<std::pair<vendors::Answer, std::string>> table = {
      {ok("nope"), "session_start answer: not valid JSON"},
      {ok(std::string(200, '[') + std::string(200, ']')),
       "session_start answer: " + zeros(128) + ": nested deeper than 128 levels at line 1, column 129"},
      {ok(std::string(70000, ' ') + "{}"),
       "session_start answer: too large: 70002 bytes, an answer may have at most 64 KiB"},
      {ok(""), "session_start answer: empty body, expected JSON"},
      {ok("[1]"), "session_start answer: expected an object, got an array"},
      {ok(R"({"response":{"data":{}}})"), "session_start answer: /http_code: is required"},
      {ok(R"({"http_code":"200","response":{"data":{}}})"),
       "session_start answer: /http_code: expected an integer from 100 to 599, got \"200\""},
      {ok(R"({"http_code":200})"), "session_start answer: /response: is required"},
      {ok(R"({"http_code":200,"response":{"data":null}})"),
       "session_start answer: /response/data: expected an object, got null"},
      {ok(R"({"http_code":201,"response":{"data":{}}})"), "session_start answer: /http_code: expected 200, got 201"},
      {ok(R"({"http_code":500,"response":{"data":null,"error_data":{"error_code":"E1","message":"boom","description":"boom"}}})"),
       "session_start answer: /response/error_data: the receiver answered with the documented error shape "
       "(http_code 500, error_code \"E1\": boom)"},
      {ok(data + R"({"webhook_config":{"insights_events":{"url":"https://r.test/i","trigger_interval_sec":"30"}}}}})"),
       "session_start answer: /response/data/webhook_config/insights_events/trigger_interval_sec: expected a "
       "positive integer, got \"30\""},
      {ok(data + R"({"webhook_config":{"session_end":{"url":"ftp://r.test/end"}}}}})"),
       "session_start answer: /response/data/webhook_config/session_end/url: expected an http(s) URL, got "
       "\"ftp://r.test/end\""},
      {ok(data + R"({"webhook_config":{"session_end":{}}}}})"),
       "session_start answer: /response/data/webhook_config/session_end/url: is required"},
      {ok(data + R"({"webhook_config":{"session_start":{"url":"https://r.test/s"}}}}})"),
       "session_start answer: /response/data/webhook_config/session_start: session_start cannot be overridden by "
       "its own answer"},
      {ok(data + R"({"webhook_config":{"insight_events":{"url":"https://r.test/i"}}}}})"),
       "session_start answer: /response/data/webhook_config/insight_events: unknown key (did you mean "
       "\"insights_events\"?)"},
      {ok(data + R"({"greeting_message":{"text":5},"webhook_config":{"session_end":{"url":"https://r.test/e"}}}}})"),
       "session_start answer: /response/data/greeting_message/text: expected a non-empty string, got 5"},
      {ok(data + R"({"session_constants":{"a":1}}}})"),
       "session_start answer: /response/data/session_constants/a: expected a string, got 1"},
      {{false, 0, "", "timeout"}, "session_start answer: not delivered (timeout)"},
      {{false, 503, "", ""}, "session_start answer: not delivered (HTTP 503)"},
  };
  const auto v = vendor();
  for (const auto& [answer, message] : table) {
    INFO(answer.body);
    const auto call = make_call(9);
    const Run r = run(*v, call, [&](const vendors::Delivery&) { return answer; });
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].message == message + tail);
    CHECK(r.findings[0].event == "session_start");
    CHECK(r.findings[0].call_id == r.all[0].call_id);
    check_configured_endpoints(r);
    // The greeting of a rejected answer is not used either.
    const OJson first = body(of_event(r, "transcript_events")[1])["events"][0]["event_data"]["transcripts"][0];
    CHECK(first["transcript_segments"][0]["text"] == call.turns[0].text);
  }
}

TEST_CASE("voicebot sends session_start to the call_setup_url custom parameter", "[voicebot]") {
  SECTION("from the stream's custom parameters") {
    const auto v = vendor(R"({"custom_parameters": {"call_setup_url": "https://setup.test/start"}})");
    const Run r = run(*v, make_call(1));
    CHECK(r.all[0].url == "https://setup.test/start");
    CHECK(r.all[1].url == k_target);
    CHECK(body(r.all[0])["custom_parameters"]["call_setup_url"] == "https://setup.test/start");
  }
  SECTION("from the call's custom parameters") {
    auto call = make_call(1);
    call.custom_parameters = {{"call_setup_url", "https://call.test/start"}};
    const Run r = run(*vendor(), call);
    CHECK(r.all[0].url == "https://call.test/start");
  }
  SECTION("an invalid URL on a call is ignored") {
    auto call = make_call(1);
    call.custom_parameters = {{"call_setup_url", "not a url"}};
    const Run r = run(*vendor(), call);
    CHECK(r.all[0].url == k_target);
  }
}

TEST_CASE("voicebot merges custom parameters within the platform's limits", "[voicebot]") {
  const auto v = vendor(R"({"custom_parameters": {"campaign": "spring", "tier": "gold"}})");
  auto call = make_call(2);
  call.custom_parameters = {{"tier", "silver"}, {"zone", "east"}, {"zzz", "dropped"}};
  const OJson params = body(run(*v, call).all[0])["custom_parameters"];
  CHECK(params == OJson({{"campaign", "spring"}, {"tier", "silver"}, {"zone", "east"}}));
}

TEST_CASE("voicebot sends transcript progress and completion per turn", "[voicebot]") {
  const auto call = make_call(4);
  SECTION("progress after progress_after_ms, completion at the turn's end, one sequence per turn") {
    const Run r = run(*vendor(R"({"transcripts": {"progress_after_ms": 500}})"), call);
    const auto transcripts = of_event(r, "transcript_events");
    REQUIRE(transcripts.size() == 2 * call.turns.size());
    for (std::size_t i = 0; i < call.turns.size(); ++i) {
      const auto& progress = transcripts[2 * i];
      const auto& complete = transcripts[2 * i + 1];
      CHECK(progress.due_ms == call.start_ms + call.turns[i].start_ms + 500);
      CHECK(complete.due_ms == call.start_ms + call.turns[i].end_ms);
      const OJson p = body(progress);
      const OJson c = body(complete);
      CHECK(p["trigger_reason"] == "turn_progress");
      CHECK(c["trigger_reason"] == "turn_complete");
      const OJson pt = p["events"][0]["event_data"]["transcripts"][0];
      const OJson ct = c["events"][0]["event_data"]["transcripts"][0];
      CHECK(pt["status"] == "inprogress");
      CHECK(ct["status"] == "completed");
      CHECK(pt["sequence"] == static_cast<std::int64_t>(i + 1));
      CHECK(ct["sequence"] == static_cast<std::int64_t>(i + 1));
      CHECK(ct["transcript_segments"][0]["text"] == call.turns[i].text);
      CHECK(ct["transcript_segments"][0]["speaker"] == call.turns[i].speaker);
      const std::string partial = pt["transcript_segments"][0]["text"];
      CHECK(partial.size() < call.turns[i].text.size());
      CHECK(call.turns[i].text.rfind(partial, 0) == 0);
      CHECK(pt["transcript_segments"][0]["start_timestamp"] == ct["transcript_segments"][0]["start_timestamp"]);
    }
  }
  SECTION("sequence per webhook") {
    const Run r = run(*vendor(R"({"transcripts": {"sequence": "webhook"}})"), call);
    std::int64_t expected = 0;
    for (const auto& d : of_event(r, "transcript_events"))
      CHECK(body(d)["events"][0]["event_data"]["transcripts"][0]["sequence"] == ++expected);
  }
  SECTION("no progress webhooks when switched off or for short turns") {
    CHECK(of_event(run(*vendor(R"({"transcripts": {"progress": false}})"), call), "transcript_events").size() ==
          call.turns.size());
    // Turns are 1.9 to 3.3 s long: a 2 s wait leaves progress for the three longer than that.
    CHECK(of_event(run(*vendor(R"({"transcripts": {"progress_after_ms": 2000}})"), call), "transcript_events").size() ==
          call.turns.size() + 3);
  }
  SECTION("switched off entirely") {
    CHECK(
        of_event(run(*vendor(R"({"webhooks": {"transcript_events": {"enabled": false}}})"), call), "transcript_events")
            .empty());
  }
}

TEST_CASE("voicebot sends insights on its timer while the session runs", "[voicebot]") {
  const auto call = make_call(12, 95300);
  const Run r = run(*vendor(R"({"insights": {"trigger_interval_sec": 20, "types": ["sentiment", "intent"]}})"), call);
  const auto insights = of_event(r, "insights_events");
  REQUIRE(insights.size() == 4);  // at 20, 40, 60 and 80 s of a 95.3 s call
  std::map<std::string, std::string> last;
  for (std::size_t i = 0; i < insights.size(); ++i) {
    CHECK(insights[i].due_ms == call.start_ms + 20000 * static_cast<std::int64_t>(i + 1));
    const OJson b = body(insights[i]);
    CHECK(b["trigger_reason"] == "timer");
    CHECK(b["session_state"] == "session_in_progress");
    REQUIRE(b["events"].size() == 2);
    CHECK(b["events"][0]["event_type"] == "sentiment");
    CHECK(b["events"][1]["event_type"] == "intent");
    for (const auto& e : b["events"]) {
      const std::string type = e["event_type"];
      const std::string value = e["event_data"]["value"];
      const bool changed = last.count(type) == 0 || last[type] != value;
      CHECK(e["event_data"]["status"] == (changed ? "changed" : "unchanged"));
      last[type] = value;
      const double confidence = e["event_data"]["confidence"];
      CHECK((confidence >= 0.6 && confidence < 1));
    }
  }
  CHECK(insights.back().due_ms < call.end_ms());
  // Event ids run through the session in send order.
  std::int64_t previous = 0;
  for (const auto& d : r.all) {
    const auto parsed = body(d);  // kept alive: the loop walks into it
    for (const auto& e : parsed["events"]) {
      const std::int64_t n = std::stoll(e["event_id"].get<std::string>().substr(4));
      CHECK(n == previous + 1);
      previous = n;
    }
  }
}

TEST_CASE("voicebot hands a caller who wants an agent over with a blocking pre_agent_transfer", "[voicebot]") {
  auto call = make_call(14);
  call.wants_agent = true;
  const std::int64_t transfer_at = call.start_ms + call.turns.back().end_ms;
  const auto v = vendor(R"({"insights": {"trigger_interval_sec": 5}})");

  SECTION("a transfer message is spoken, then the session ends") {
    const Run r = run(*v, call, [](const vendors::Delivery& d) {
      if (d.event == "session_start") return ok(R"({"http_code":200,"response":{"data":{}}})");
      return ok(R"({"http_code":200,"response":{"data":{"agent_transfer_message":{"text":"Connecting you now"}}}})");
    });
    REQUIRE(r.batches.size() == 3);
    const auto& middle = r.batches[1];
    CHECK(middle.back().event == "pre_agent_transfer");
    CHECK(middle.back().blocking);
    CHECK(middle.back().due_ms == transfer_at);
    CHECK(body(middle.back())["trigger_reason"] == "pre_agent_transfer");
    for (std::size_t i = 0; i + 1 < middle.size(); ++i) {
      CHECK_FALSE(middle[i].blocking);
      CHECK(middle[i].due_ms <= transfer_at);
    }
    const auto& last = r.batches[2];
    REQUIRE(last.size() == 3);  // progress and completion of the message, session_end
    const OJson said = body(last[1])["events"][0]["event_data"]["transcripts"][0];
    CHECK(said["transcript_segments"][0]["text"] == "Connecting you now");
    CHECK(said["sequence"] == static_cast<std::int64_t>(call.turns.size() + 1));
    CHECK(last[2].event == "session_end");
    CHECK(body(last[2])["end_time"] != nullptr);
    CHECK(r.findings.empty());
  }
  SECTION("a bad answer is a finding and the session ends without a message") {
    const Run r = run(*v, call, [](const vendors::Delivery& d) {
      if (d.event == "session_start") return ok(R"({"http_code":200,"response":{"data":{}}})");
      return ok(R"({"http_code":200,"response":{"data":{"agent_transfer_message":{"text":""}}}})");
    });
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].event == "pre_agent_transfer");
    CHECK(r.findings[0].message ==
          "pre_agent_transfer answer: /response/data/agent_transfer_message/text: expected a non-empty string, got "
          "\"\"; transferring without a transfer message");
    REQUIRE(r.batches.back().size() == 1);
    CHECK(r.batches.back()[0].event == "session_end");
  }
  SECTION("no answer is a finding too") {
    const Run r = run(*v, call, [](const vendors::Delivery& d) {
      if (d.event == "session_start") return ok(R"({"http_code":200,"response":{"data":{}}})");
      return vendors::Answer{false, 0, "", "connect"};
    });
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].message ==
          "pre_agent_transfer answer: not delivered (connect); transferring without a transfer message");
  }
}

TEST_CASE("voicebot batches are in due order with only the last one blocking", "[voicebot]") {
  auto call = make_call(21, 200000);
  call.wants_agent = true;
  const Run r = run(*vendor(R"({"insights": {"trigger_interval_sec": 1}})"), call);
  for (const auto& batch : r.batches) {
    for (std::size_t i = 0; i < batch.size(); ++i) {
      if (i > 0) CHECK(batch[i - 1].due_ms <= batch[i].due_ms);
      CHECK(batch[i].blocking == (i + 1 == batch.size() && batch[i].event != "session_end"));
    }
  }
  CHECK(r.all.back().event == "session_end");
}

TEST_CASE("voicebot sessions are deterministic", "[voicebot]") {
  const auto v = vendor();
  const Run a = run(*v, make_call(30));
  const Run b = run(*v, make_call(30));
  REQUIRE(a.all.size() == b.all.size());
  for (std::size_t i = 0; i < a.all.size(); ++i) {
    CHECK(a.all[i].body == b.all[i].body);
    CHECK(a.all[i].due_ms == b.all[i].due_ms);
    CHECK(a.all[i].url == b.all[i].url);
  }
  const Run c = run(*v, make_call(31));
  CHECK(body(c.all[0])["session_id"] != body(a.all[0])["session_id"]);
  // The bot belongs to the stream: the same in every session.
  CHECK(body(c.all[0])["bot_id"] == body(a.all[0])["bot_id"]);
}

TEST_CASE("voicebot identity settings shape the common fields", "[voicebot]") {
  auto call = make_call(2);
  SECTION("bare Exotel call sids and SIP contacts") {
    const Run r = run(*vendor(R"({"call_sid_prefix": "", "network_type": "sip", "sip_domain": "sip.acme.test",
                                  "bot_id": "b", "bot_name": "n", "account_id": "acc", "landing_number": ""})"),
                      call);
    const OJson b = body(r.all[0]);
    CHECK(b["external_id"].get<std::string>().size() == 32);
    CHECK(b["network_type"] == "sip");
    CHECK(b["contact_uri"] == "sip:" + call.user_number + "@sip.acme.test");
    CHECK(b["bot_id"] == "b");
    CHECK(b["bot_name"] == "n");
    CHECK(b["account_id"] == "acc");
    CHECK(b["landing_number"] == "");
  }
  SECTION("defaults: the dialled number lands, the caller is the contact, the call's platform wins") {
    call.platform = "sip";
    const OJson b = body(run(*vendor(), call).all[0]);
    CHECK(b["landing_number"] == call.agent_number);
    CHECK(b["network_type"] == "sip");
    CHECK(b["external_id"].get<std::string>().substr(0, 2) == "CA");
  }
}
