#include <catch2/catch.hpp>

#include <tuple>

#include "support/vendor_session.hpp"
#include "vendors/voicekit.hpp"

using namespace vtest;

namespace {

const vendors::VendorInfo& info() { return vendors::voicekit_info(); }

std::unique_ptr<vendors::Vendor> vendor(const std::string& config = "{}") { return configured(info(), config); }

OJson body(const vendors::Delivery& d) { return OJson::parse(d.body); }

const std::string k_hooked = R"({"call_started_hook": "https://receiver.test/hook", "runtime_data": {"tier": "gold"}})";

// "/0/0/...": the pointer of the innermost of n nested arrays.
std::string zeros(int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += "/0";
  return out;
}

}  // namespace

TEST_CASE("voicekit profile declares its events and delivery defaults", "[voicekit]") {
  CHECK(info().name == "voicekit");
  CHECK(info().events == std::vector<std::string>{"call_started", "call_ended", "call_finalized", "callStartedHook"});
  CHECK(info().defaults.timeout_ms == 10000);
  CHECK(info().defaults.retry.max_attempts == 1);
  CHECK(info().defaults.signing == "none");
}

TEST_CASE("voicekit configuration problems name their JSON pointers", "[voicekit]") {
  const std::string p = k_pointer;
  const std::vector<std::pair<std::string, std::string>> table = {
      {R"({"call_started_hook": "nope"})", p + "/call_started_hook: expected an http(s) URL, got \"nope\""},
      {R"({"runtime_data": {"a": {"b": 1}}})",
       p + "/runtime_data/a: expected a string, number or boolean, got an object"},
      {R"({"runtime_data": [1]})", p + "/runtime_data: expected an object, got an array"},
      {R"({"recording": {"file_type": "mp3"}})",
       p + "/recording/file_type: expected one of \"ogg\", \"wav\", got \"mp3\""},
      {R"({"workflow_id": 0})", p + "/workflow_id: expected a positive integer, got 0"},
      {R"({"finalize_delay_s": "5"})", p + "/finalize_delay_s: expected a non-negative number, got \"5\""},
      {R"({"callStartedHook": "https://x.test"})",
       p + "/callStartedHook: unknown key (did you mean \"call_started_hook\"?)"},
  };
  for (const auto& [config, expected] : table) {
    INFO(config);
    const auto c = configure(info(), config);
    CHECK(c.vendor == nullptr);
    CHECK(c.lines() == std::vector<std::string>{expected});
  }
}

TEST_CASE("voicekit sends started, ended and finalized without a hook", "[voicekit]") {
  const auto call = make_call(3);
  for (const auto& [config, delay] :
       std::vector<std::pair<std::string, std::int64_t>>{{"{}", 5000}, {R"({"finalize_delay_s": 30})", 30000}}) {
    const Run r = run(*vendor(config), call);
    REQUIRE(r.batches.size() == 1);
    REQUIRE(r.all.size() == 3);
    CHECK(r.all[0].event == "call_started");
    CHECK(r.all[0].due_ms == call.start_ms);
    CHECK(r.all[1].event == "call_ended");
    CHECK(r.all[1].due_ms == call.end_ms());
    CHECK(r.all[2].event == "call_finalized");
    CHECK(r.all[2].due_ms == call.end_ms() + delay);
    for (const auto& d : r.all) {
      const OJson b = body(d);
      CHECK(b["event"] == d.event);
      CHECK(d.event_field == "/event");
      CHECK(d.call_id == std::to_string(b["data"]["call_id"].get<std::int64_t>()));
      CHECK(d.url == k_context.target);
      CHECK_FALSE(b["data"].contains("runtime_data"));
    }
  }
}

TEST_CASE("voicekit duration_minutes is the duration rounded up, at least 1", "[voicekit]") {
  const std::vector<std::tuple<std::int64_t, std::int64_t, std::int64_t>> table = {
      // duration ms, duration_seconds, duration_minutes
      {0, 0, 1},      {400, 0, 1},      {59400, 59, 1},      {60000, 60, 1},
      {60500, 61, 2}, {150000, 150, 3}, {3600000, 3600, 60}, {3601000, 3601, 61},
  };
  const auto v = vendor();
  for (const auto& [ms, seconds, minutes] : table) {
    INFO(ms);
    const OJson data = body(run(*v, make_call(4, ms)).all[1])["data"];
    CHECK(data["duration_seconds"] == seconds);
    CHECK(data["duration_minutes"] == minutes);
  }
}

TEST_CASE("voicekit identifiers and recordings", "[voicekit]") {
  auto call = make_call(5);
  call.stream = 2;
  call.index = 41;
  const Run r = run(*vendor(R"({"call_id_base": 500, "workflow_id": 7, "organization_id": 8,
                                 "workflow_slug": "sales", "recording": {"file_type": "wav"}})"),
                    call);
  const OJson started = body(r.all[0])["data"];
  CHECK(started["call_id"] == 500 + 2 * 10000000 + 41 + 1);
  CHECK(started["workflow_slug"] == "sales");
  CHECK(started["phone_number"] == call.user_number);
  const OJson fin = body(r.all[2])["data"];
  CHECK(fin["workflow_id"] == 7);
  CHECK(fin["organization_id"] == 8);
  const OJson& egress = fin["egress_info"];
  CHECK(egress["file_type"] == "wav");
  CHECK(fin["recording_url"] == "http://127.0.0.1:4000/recordings/" + fin["call_slug"].get<std::string>() + "-" +
                                    egress["file_size"].get<std::string>() + ".wav");
  // About 16 kB a second of the egress's media.
  const double seconds = std::stod(egress["duration"].get<std::string>()) / 1e9;
  const double bytes = std::stod(egress["file_size"].get<std::string>());
  CHECK(bytes > seconds * 16000 * 0.95);
  CHECK(bytes < seconds * 16000 * 1.05 + 44);
  CHECK(seconds < static_cast<double>(call.duration_ms) / 1000.0 + 3);

  call.platform = "web";
  CHECK(body(run(*vendor(), call).all[0])["data"]["phone_number"].is_null());
}

TEST_CASE("voicekit calls callStartedHook first and applies a good answer", "[voicekit]") {
  auto call = make_call(6);
  call.custom_parameters = {{"lead", "42"}};
  const Run r = run(*vendor(k_hooked), call, [](const vendors::Delivery&) {
    return ok(
        R"({"runtime_data": {"customer": "Jane", "tier": "platinum", "vip": true}, "phone_number": "+61400000000"})");
  });
  REQUIRE(r.batches.size() == 2);
  REQUIRE(r.batches[0].size() == 1);
  const auto& hook = r.batches[0][0];
  CHECK(hook.event == "callStartedHook");
  CHECK(hook.blocking);
  CHECK(hook.url == "https://receiver.test/hook");
  CHECK(hook.due_ms == call.start_ms);
  const OJson request = body(hook);
  CHECK(request["event"] == "call_started_hook");
  CHECK(request["data"]["direction"] == "inbound");
  CHECK(request["data"]["phone_number"] == call.user_number);
  CHECK(request["data"]["runtime_data"] == OJson({{"lead", "42"}, {"tier", "gold"}}));

  CHECK(r.findings.empty());
  const auto& events = r.batches[1];
  REQUIRE(events.size() == 3);
  const OJson merged = {{"lead", "42"}, {"tier", "platinum"}, {"customer", "Jane"}, {"vip", true}};
  for (const auto& d : events) {
    const OJson data = body(d)["data"];
    INFO(d.event);
    if (d.event == "call_finalized") {
      CHECK_FALSE(data.contains("runtime_data"));
    } else {
      CHECK(data["runtime_data"] == merged);
      CHECK(data["phone_number"] == "+61400000000");
    }
  }
}

TEST_CASE("voicekit goes on unmodified when the hook answer is one VoiceKit would reject", "[voicekit]") {
  const std::string tail = "; the call goes on unmodified";
  const std::vector<std::pair<vendors::Answer, std::string>> table = {
      {ok("not json"), "callStartedHook answer: not valid JSON"},
      {ok(R"({"runtime_data": )" + std::string(200, '[') + std::string(200, ']') + "}"),
       "callStartedHook answer: /runtime_data" + zeros(127) + ": nested deeper than 128 levels at line 1, column 145"},
      {ok(""), "callStartedHook answer: empty body, expected a JSON object"},
      {ok("[]"), "callStartedHook answer: expected an object, got an array"},
      {ok(R"({"received": true})"), "callStartedHook answer: /received: unknown key"},
      {ok(R"({"runtime_data": {"a": {"b": 1}}})"),
       "callStartedHook answer: /runtime_data/a: expected a string, number or boolean, got an object"},
      {ok(R"({"runtime_data": "x"})"), "callStartedHook answer: /runtime_data: expected an object, got \"x\""},
      {ok(R"({"runtime_data": {"a": "b"}, "phone_number": "12345"})"),
       "callStartedHook answer: /phone_number: expected an E.164 number, got \"12345\""},
      {{false, 0, "", "timeout"}, "callStartedHook answer: not delivered (timeout)"},
      {{false, 500, "{}", ""}, "callStartedHook answer: not delivered (HTTP 500)"},
  };
  const auto v = vendor(k_hooked);
  const auto call = make_call(7);
  for (const auto& [answer, message] : table) {
    INFO(answer.body);
    const Run r = run(*v, call, [&](const vendors::Delivery&) { return answer; });
    REQUIRE(r.findings.size() == 1);
    CHECK(r.findings[0].message == message + tail);
    CHECK(r.findings[0].event == "callStartedHook");
    CHECK(r.findings[0].call_id == r.all[0].call_id);
    REQUIRE(r.batches.size() == 2);
    for (const auto& d : r.batches[1]) {
      const OJson data = body(d)["data"];
      CHECK_FALSE(data.contains("runtime_data"));
      if (d.event != "call_finalized") CHECK(data["phone_number"] == call.user_number);
    }
  }
  // An empty object is a valid answer that changes nothing.
  const Run quiet = run(*v, call, [](const vendors::Delivery&) { return ok("{}"); });
  CHECK(quiet.findings.empty());
  CHECK_FALSE(body(quiet.batches[1][0])["data"].contains("runtime_data"));
}

TEST_CASE("voicekit payloads are deterministic", "[voicekit]") {
  const auto v = vendor();
  const Run a = run(*v, make_call(50));
  const Run b = run(*v, make_call(50));
  for (std::size_t i = 0; i < a.all.size(); ++i) CHECK(a.all[i].body == b.all[i].body);
  const OJson x = body(a.all[2])["data"];
  const OJson y = body(run(*v, make_call(51)).all[2])["data"];
  CHECK(x["call_slug"] != y["call_slug"]);
  CHECK(x["egress_info"]["egress_id"] != y["egress_info"]["egress_id"]);
}

TEST_CASE("voicekit scripted calls get call_ids in the stream's block, like generated ones", "[voicekit]") {
  // A script's calls have indices 2^40 + k (engine/script): their ids count
  // down from the top of the stream's block of ten million.
  const auto id_of = [](std::uint64_t index, const std::string& alias) {
    auto call = make_call(9);
    call.stream = 1;
    call.index = index;
    call.alias = alias;
    return body(run(*vendor(), call).all[0])["data"]["call_id"].get<std::int64_t>();
  };
  const std::int64_t block = 1000 + 10000000;  // call_id_base + stream 1
  CHECK(id_of((1ULL << 40) + 0, "first") == block + 10000000);
  CHECK(id_of((1ULL << 40) + 3, "fourth") == block + 10000000 - 3);
  CHECK(id_of(0, "") == block + 1);
  CHECK(id_of(9999998, "") == block + 9999999);
  for (std::uint64_t k = 0; k < 50; ++k) CHECK(id_of((1ULL << 40) + k, "a") < (std::int64_t{1} << 31));
}
