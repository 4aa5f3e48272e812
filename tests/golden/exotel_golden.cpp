// Exotel call callbacks: the Passthru applet's query and the StatusCallback
// form, checked against tests/data/exotel/callbacks.json, a transcription of
// Exotel's public pages (each request names its source): parameter names,
// the document's order, which are always present, method and value formats.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "vendors/exotel.hpp"

namespace {

using vtest::Params;
using vtest::params_of;

struct Parameter {
  std::string name;
  std::string format;
  bool required = false;
  bool terminal = false;  // a StatusCallbackEvents ("terminal") parameter
};

struct Request {
  std::string source;
  std::string method;
  std::string content_type;
  std::vector<Parameter> parameters;
  const Parameter* find(const std::string& name) const {
    for (const auto& p : parameters)
      if (p.name == name) return &p;
    return nullptr;
  }
};

Request read_request(const std::string& event) {
  std::ifstream in(std::string(CALLHOOK_SOURCE_DIR) + "/tests/data/exotel/callbacks.json");
  std::stringstream text;
  text << in.rdbuf();
  const auto doc = nlohmann::json::parse(text.str());
  const auto& r = doc.at(event);
  Request out;
  out.source = r.at("source").get<std::string>();
  out.method = r.at("method").get<std::string>();
  out.content_type = r.value("content_type", "");
  for (const auto& p : r.at("parameters"))
    out.parameters.push_back({p.at("name").get<std::string>(), p.at("format").get<std::string>(),
                              p.at("required").get<bool>(), p.value("terminal", false)});
  return out;
}

std::vector<callhook::vendors::Delivery> generate(std::uint64_t seed, const std::string& config_text,
                                                  const std::string& direction = "inbound") {
  auto call = golden::sample_call(seed);
  call.country = "91";
  call.user_number = "+919876543210";
  call.agent_number = "+918041234567";
  call.direction = direction;
  return vtest::run(*vtest::configured(callhook::vendors::exotel_info(), config_text), call).all;
}

void check_request(const Request& spec, const callhook::vendors::Delivery& d, bool terminal) {
  INFO(d.event << " " << (d.method == "GET" ? d.url : d.body));
  CHECK(d.method == spec.method);
  CHECK(d.content_type == spec.content_type);
  if (d.method == "GET") CHECK(d.body.empty());
  const Params params = params_of(d);
  std::map<std::string, std::string> values;
  std::size_t last = 0;
  for (const auto& [name, value] : params) {
    INFO(name << "=" << value);
    CHECK(values.count(name) == 0);
    values[name] = value;
    const Parameter* p = spec.find(name);
    REQUIRE(p != nullptr);  // no parameter the document lacks
    const auto index = static_cast<std::size_t>(p - spec.parameters.data());
    CHECK(index >= last);  // the document's order
    last = index;
    CHECK(golden::matches(value, p->format));
    if (p->terminal) CHECK(terminal);
  }
  for (const auto& p : spec.parameters) {
    INFO(p.name);
    if (p.required || (terminal && p.terminal && p.name != "CustomField")) CHECK(values.count(p.name) == 1);
  }
}

}  // namespace

TEST_CASE("exotel spec names its sources and the requests the brief lists", "[golden][exotel]") {
  const Request passthru = read_request("passthru");
  CHECK(passthru.method == "GET");
  CHECK(passthru.source.find("exotel.com") != std::string::npos);
  for (const char* name :
       {"CallSid", "CallFrom", "CallTo", "Direction", "Created", "DialCallDuration", "StartTime", "EndTime", "CallType",
        "DialWhomNumber", "digits", "RecordingUrl", "DialCallStatus", "flow_id", "tenant_id", "CurrentTime"})
    CHECK(passthru.find(name) != nullptr);
  const Request status = read_request("status_callback");
  CHECK(status.method == "POST");
  for (const char* name : {"CallSid", "Status", "RecordingUrl", "DateUpdated"}) CHECK(status.find(name)->required);
}

TEST_CASE("exotel requests follow the documented parameters", "[golden][exotel]") {
  const Request passthru = read_request("passthru");
  const Request status = read_request("status_callback");
  const std::vector<std::pair<std::string, bool>> configs = {
      {R"({})", false},
      {R"({"passthru": "start"})", false},
      {R"({"status_callback_events": "terminal", "custom_field": "order=42"})", true},
      {R"({"numbers": "e164", "digits_p": 1, "recording_p": 0})", false},
      {R"({"dial_status": {"completed": 1, "busy": 1, "no-answer": 1, "failed": 1, "canceled": 1}})", false},
  };
  std::set<std::string> call_types, statuses;
  for (const auto& [config, terminal] : configs) {
    for (const char* direction : {"inbound", "outbound"}) {
      for (std::uint64_t seed = 1; seed <= 40; ++seed) {
        const auto batch = generate(seed, config, direction);
        REQUIRE(batch.size() == 2);
        CHECK(batch[0].event == "passthru");
        CHECK(batch[1].event == "status_callback");
        CHECK(batch[0].due_ms <= batch[1].due_ms);
        check_request(passthru, batch[0], false);
        check_request(status, batch[1], terminal);
        CHECK(vtest::param(params_of(batch[0]), "CallSid") == vtest::param(params_of(batch[1]), "CallSid"));
        call_types.insert(vtest::param(params_of(batch[0]), "CallType"));
        statuses.insert(vtest::param(params_of(batch[1]), "Status"));
      }
    }
  }
  // Every documented outcome is reached but voicemail (no Voicemail applet is modelled).
  CHECK(call_types == std::set<std::string>{"call-attempt", "completed", "client-hangup", "incomplete"});
  CHECK(statuses == std::set<std::string>{"completed", "busy", "no-answer", "failed"});
}

TEST_CASE("exotel values: IST times, national numbers, quoted digits, the constant EndTime", "[golden][exotel]") {
  const auto batch = generate(3, R"({"digits_p": 1, "dial_status": {"completed": 1}})");
  const Params p = params_of(batch[0]);
  CHECK(vtest::param(p, "EndTime") == "1970-01-01 05:30:00");
  CHECK(vtest::param(p, "CallFrom") == "09876543210");
  CHECK(vtest::param(p, "From") == "09876543210");
  CHECK(vtest::param(p, "DialWhomNumber") == "08041234567");
  CHECK(golden::matches(vtest::param(p, "digits"), "\"[1-9]\""));
  CHECK(vtest::param(p, "CallType") == "completed");
  CHECK(vtest::param(p, "DialCallStatus") == "completed");
  // The call starts at 2025-07-16T11:40:57Z + seed s: 17:10:60 IST.
  CHECK(vtest::param(p, "StartTime") == "2025-07-16 17:11:00");
  CHECK(golden::matches(vtest::param(p, "RecordingUrl"),
                        "http://127\\.0\\.0\\.1:4000/recordings/" + vtest::param(p, "CallSid") + "-[0-9]+\\.wav"));
  const Params s = params_of(batch[1]);
  CHECK(vtest::param(s, "RecordingUrl") == vtest::param(p, "RecordingUrl"));
  CHECK(batch[1].content_type == "application/x-www-form-urlencoded");
  const auto utc = generate(3, R"({"utc_offset_min": 0, "numbers": "e164"})");
  CHECK(vtest::param(params_of(utc[0]), "StartTime") == "2025-07-16 11:41:00");
  CHECK(vtest::param(params_of(utc[0]), "CallFrom") == "+919876543210");
}

TEST_CASE("exotel status_callback follows the setting and the call's direction", "[golden][exotel]") {
  CHECK(generate(5, R"({"status_callback": "never"})").size() == 1);
  CHECK(generate(5, R"({"status_callback": "outbound"})", "inbound").size() == 1);
  CHECK(generate(5, R"({"status_callback": "outbound"})", "outbound").size() == 2);
  const auto& info = callhook::vendors::exotel_info();
  CHECK(info.defaults.timeout_ms == 15000);
  CHECK(info.defaults.retry.max_attempts == 3);
  REQUIRE(info.defaults.event_retry.size() == 1);
  CHECK(info.defaults.event_retry[0].first == "passthru");
  CHECK(info.defaults.event_retry[0].second.max_attempts == 1);
}
