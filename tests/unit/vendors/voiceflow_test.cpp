#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "support/vendor_session.hpp"
#include "vendors/voiceflow.hpp"

using namespace vtest;

namespace {

const vendors::VendorInfo& info() { return vendors::voiceflow_info(); }

std::unique_ptr<vendors::Vendor> vendor(const std::string& config = "{}") { return configured(info(), config); }

OJson body(const vendors::Delivery& d) { return OJson::parse(d.body); }

std::vector<std::string> events(const Run& r) {
  std::vector<std::string> out;
  for (const auto& d : r.all) out.push_back(d.event);
  return out;
}

bool matches(const std::string& text, const char* pattern) { return std::regex_match(text, std::regex(pattern)); }

}  // namespace

TEST_CASE("voiceflow profile declares its events and delivery defaults", "[voiceflow]") {
  CHECK(info().name == "voiceflow");
  CHECK(info().events == std::vector<std::string>{"runtime.call.start", "runtime.call.end", "runtime.session.start",
                                                  "runtime.session.end"});
  CHECK(info().platforms == std::vector<std::string>{"twilio", "web-voice", "telnyx", "vonage"});
  CHECK(info().defaults.timeout_ms == 15000);
  CHECK(info().defaults.retry.max_attempts == 8);
  CHECK(info().defaults.retry.backoff_ms.size() == 7);
  CHECK(info().defaults.signing == "svix");
}

TEST_CASE("voiceflow configuration problems name their JSON pointers", "[voiceflow]") {
  const std::string p = k_pointer;
  const std::vector<std::pair<std::string, std::string>> table = {
      {R"({"project_id": "xyz"})", p + "/project_id: expected 24 lowercase hex characters, got \"xyz\""},
      {R"({"environment_id": "6772DA2E485189279FA5B9DA"})",
       p + "/environment_id: expected 24 lowercase hex characters, got \"6772DA2E485189279FA5B9DA\""},
      {R"({"end_reasons": {}})", p + "/end_reasons: expected at least one reason with a weight"},
      {R"({"session_end_delay_ms": 5})", p + "/session_end_delay_ms: expected [min, max] in milliseconds, got 5"},
      {R"({"idle_timeout_p": 2})", p + "/idle_timeout_p: expected a probability from 0 to 1, got 2"},
      {R"({"extra_field": true})", p + "/extra_field: unknown key (did you mean \"extra_fields\"?)"},
  };
  for (const auto& [config, message] : table) {
    INFO(config);
    const auto c = configure(info(), config);
    CHECK_FALSE(c.vendor);
    CHECK(c.lines() == std::vector<std::string>{message});
  }
}

TEST_CASE("voiceflow sends one batch: session and call start, call end, session end", "[voiceflow]") {
  const auto call = make_call(4);
  const Run r = run(*vendor(), call);
  REQUIRE(r.batches.size() == 1);
  // The session starts a few ms into the call; call.start is sent a little later.
  CHECK(events(r) == std::vector<std::string>{"runtime.session.start", "runtime.call.start", "runtime.call.end",
                                              "runtime.session.end"});
  std::int64_t previous = 0;
  std::set<std::string> sessions;
  for (const auto& d : r.all) {
    INFO(d.body);
    CHECK_FALSE(d.blocking);
    CHECK(d.url == k_context.target);
    CHECK(d.method == "POST");
    CHECK(d.event_field == "/type");
    CHECK(d.due_ms >= previous);
    previous = d.due_ms;
    const OJson b = body(d);
    CHECK(b["type"] == d.event);
    CHECK(b["time"] == d.due_ms);
    CHECK(b["resource"] == "project-" + b["data"]["projectID"].get<std::string>());
    CHECK(b["data"]["userID"] == call.user_number);
  }
  const OJson start = body(r.all[1])["data"];
  CHECK(start["startTime"] == call.start_ms);
  CHECK(matches(start["metadata"]["callSid"], "CA[0-9a-f]{32}"));
  CHECK(start["metadata"]["callType"] == "inbound");
  CHECK(r.all[1].call_id == start["metadata"]["callSid"]);
  const OJson end = body(r.all[2])["data"];
  CHECK(end["endTime"] == call.end_ms());
  CHECK(end["metadata"]["callSid"] == start["metadata"]["callSid"]);
  const OJson session_start = body(r.all[0])["data"];
  const OJson session_end = body(r.all[3])["data"];
  CHECK(session_start["startTime"].get<std::int64_t>() - call.start_ms >= 5);
  CHECK(session_start["startTime"].get<std::int64_t>() - call.start_ms <= 30);
  CHECK(session_start["sessionID"] == session_end["sessionID"]);
  CHECK(matches(session_start["sessionID"], "[0-9a-f]{24}"));
  // session.end follows the call's end by the default 2 to 5 seconds.
  CHECK(session_end["endTime"].get<std::int64_t>() - call.end_ms() >= 2000);
  CHECK(session_end["endTime"].get<std::int64_t>() - call.end_ms() <= 5000);
}

TEST_CASE("voiceflow uses the configured ids and options", "[voiceflow]") {
  const std::string project = "6772da2e485189279fa5b9da";
  const std::string environment = "69f3df348d8088f34a622739";
  auto call = make_call(6);
  call.direction = "outbound";
  const Run r = run(*vendor(R"({"project_id": ")" + project + R"(", "environment_id": ")" + environment +
                            R"(", "end_reasons": {"twiml": 1}, "idle_timeout_p": 1, "idle_timeout_s": 60,)"
                            R"( "extra_fields": true, "prototype_outbound": true})"),
                    call);
  for (const auto& d : r.all) {
    INFO(d.body);
    const OJson data = body(d)["data"];
    CHECK(data["projectID"] == project);
    CHECK(data["environmentID"] == environment);
    CHECK(data["projectEnvironmentID"] == environment);
    CHECK(data.contains("versionID"));
  }
  const OJson end = body(of_event(r, "runtime.call.end").at(0))["data"];
  CHECK(end["metadata"]["callType"] == "prototype-outbound");
  // An outbound call may also end at an answering machine.
  CHECK((end["endReason"] == "twiml" || end["endReason"] == "answering machine"));
  const OJson session_end = body(of_event(r, "runtime.session.end").at(0))["data"];
  CHECK(session_end["endTime"] == call.end_ms() + 60000);
}

TEST_CASE("voiceflow web-voice calls carry no metadata and an opaque user id", "[voiceflow]") {
  auto call = make_call(7);
  call.platform = "web-voice";
  const Run r = run(*vendor(), call);
  REQUIRE(r.all.size() == 4);
  const auto start_delivery = of_event(r, "runtime.call.start").at(0);
  const OJson start = body(start_delivery)["data"];
  CHECK(start["platform"] == "web-voice");
  CHECK(start["metadata"] == OJson::object());
  CHECK(matches(start["userID"], "[a-z0-9]{24}"));
  // Without a call id of its own, a web-voice call is known by its session.
  CHECK(start_delivery.call_id == body(of_event(r, "runtime.session.start").at(0))["data"]["sessionID"]);
}

TEST_CASE("voiceflow gives a caller who calls back a second call on the same session", "[voiceflow]") {
  auto call = make_call(9);
  call.return_after_ms = 20000;
  call.return_duration_ms = 30000;
  const Run r = run(*vendor(), call);
  CHECK(events(r) == std::vector<std::string>{"runtime.session.start", "runtime.call.start", "runtime.call.end",
                                              "runtime.call.start", "runtime.call.end", "runtime.session.end"});
  const auto starts = of_event(r, "runtime.call.start");
  CHECK(body(starts[1])["data"]["startTime"] == call.end_ms() + 20000);
  CHECK(body(starts[0])["data"]["metadata"]["callSid"] != body(starts[1])["data"]["metadata"]["callSid"]);
  const OJson session_end = body(r.all.back())["data"];
  CHECK(session_end["endTime"].get<std::int64_t>() >= call.end_ms() + 20000 + 30000 + 2000);
}

TEST_CASE("voiceflow payloads are the same for the same seed", "[voiceflow]") {
  const auto v = vendor();
  const Run a = run(*v, make_call(11));
  const Run b = run(*v, make_call(11));
  const Run c = run(*v, make_call(12));
  REQUIRE(a.all.size() == b.all.size());
  for (std::size_t i = 0; i < a.all.size(); ++i) CHECK(a.all[i].body == b.all[i].body);
  CHECK(a.all[0].body != c.all[0].body);
}
