// VoiceKit: generated payloads against the JSON examples of document 004
// (the "Webhook Format" block, whose comment stands for the event data, and
// one example per event).
#include <catch2/catch.hpp>

#include <map>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "vendors/voicekit.hpp"

namespace {

using golden::OJson;

struct Examples {
  OJson envelope;
  std::map<std::string, OJson> by_event;
};

Examples voicekit_examples() {
  Examples out;
  for (const auto& example : golden::json_examples(golden::read_doc("004_592dbcb2e26312e9.txt"))) {
    if (!example.contains("event")) continue;  // the settings example
    const std::string event = example["event"];
    if (event == "event_type")
      out.envelope = example;
    else
      out.by_event[event] = example;
  }
  return out;
}

std::vector<callhook::vendors::Delivery> generate(const callhook::population::Call& call,
                                                  const std::string& config_text = "{}") {
  return vtest::run(*vtest::configured(callhook::vendors::voicekit_info(), config_text), call).all;
}

}  // namespace

TEST_CASE("voicekit document examples are all found", "[golden][voicekit]") {
  const Examples examples = voicekit_examples();
  CHECK(examples.envelope.is_object());
  CHECK(examples.by_event.count("call_started") == 1);
  CHECK(examples.by_event.count("call_ended") == 1);
  CHECK(examples.by_event.count("call_finalized") == 1);
}

TEST_CASE("voicekit payloads have the document's fields, order and types", "[golden][voicekit]") {
  const Examples examples = voicekit_examples();
  for (const char* file_type : {"ogg", "wav"}) {
    for (std::uint64_t seed : {1u, 2u, 77u}) {
      const auto batch =
          generate(golden::sample_call(seed), std::string(R"({"recording": {"file_type": ")") + file_type + "\"}}");
      REQUIRE(batch.size() == 3);
      for (const auto& d : batch) {
        INFO(d.event << " " << d.body);
        REQUIRE(examples.by_event.count(d.event) == 1);
        const OJson body = OJson::parse(d.body);
        const OJson& doc = examples.by_event.at(d.event);
        CHECK(golden::differences(doc, body) == std::vector<std::string>{});
        // The envelope of every event is the documented {event, timestamp, data}.
        CHECK(golden::differences(examples.envelope, body, {"/data"}) == std::vector<std::string>{});
        CHECK(golden::digit_shape(body["timestamp"].get<std::string>()) ==
              golden::digit_shape(doc["timestamp"].get<std::string>()));
        CHECK(body["event"] == d.event);
        CHECK(d.event_field == "/event");
      }
    }
  }
}

TEST_CASE("voicekit formats follow the document's example values", "[golden][voicekit]") {
  const Examples examples = voicekit_examples();
  const OJson& doc = examples.by_event.at("call_finalized")["data"];
  const OJson& doc_egress = doc["egress_info"];
  const auto call = golden::sample_call(9);
  const auto batch = generate(call);
  const OJson data = OJson::parse(batch[2].body)["data"];
  const OJson& egress = data["egress_info"];

  const std::string slug = "[a-z0-9]{8}";
  CHECK(golden::matches(doc["call_slug"].get<std::string>(), slug));
  CHECK(golden::matches(data["call_slug"].get<std::string>(), slug));
  for (const char* key : {"egress_id", "room_id"}) {
    const std::string prefix = doc_egress[key].get<std::string>().substr(0, 3);
    const std::string pattern = prefix + "[A-Za-z0-9]{12}";
    CHECK(golden::matches(doc_egress[key].get<std::string>(), pattern));
    CHECK(golden::matches(egress[key].get<std::string>(), pattern));
  }
  CHECK(golden::matches(doc_egress["room_name"].get<std::string>(),
                        "VOICEKIT_workflow_" + doc["call_slug"].get<std::string>() + "_[0-9]{4}"));
  CHECK(golden::matches(egress["room_name"].get<std::string>(),
                        "VOICEKIT_workflow_" + data["call_slug"].get<std::string>() + "_[0-9]{4}"));
  CHECK(egress["status"] == doc_egress["status"]);
  for (const char* key : {"started_at", "ended_at"}) {
    CHECK(golden::digit_shape(egress[key].get<std::string>()) ==
          golden::digit_shape(doc_egress[key].get<std::string>()));
  }
  CHECK(golden::matches(egress["duration"].get<std::string>(), "[1-9][0-9]*"));
  CHECK(golden::matches(egress["file_size"].get<std::string>(), "[1-9][0-9]*"));
  CHECK(egress["file_type"] == doc_egress["file_type"]);
  // Nanosecond times agree with the call: the egress spans the call.
  const auto started = std::stoll(egress["started_at"].get<std::string>());
  const auto ended = std::stoll(egress["ended_at"].get<std::string>());
  CHECK(started >= call.start_ms * 1000000);
  CHECK(ended >= call.end_ms() * 1000000);
  CHECK(std::stoll(egress["duration"].get<std::string>()) <= ended - started);
  // The recording URL names the file callhook serves, with the reported size.
  CHECK(data["recording_url"] == "http://127.0.0.1:4000/recordings/" + data["call_slug"].get<std::string>() + "-" +
                                     egress["file_size"].get<std::string>() + ".ogg");
  CHECK(golden::matches(doc["recording_url"].get<std::string>(), R"(https?://.+\.ogg)"));
}

TEST_CASE("voicekit duration_minutes rounds up like the document's example", "[golden][voicekit]") {
  const Examples examples = voicekit_examples();
  const OJson& doc = examples.by_event.at("call_ended")["data"];
  const std::int64_t doc_seconds = doc["duration_seconds"];
  const std::int64_t doc_minutes = doc["duration_minutes"];
  CHECK(doc_minutes == (doc_seconds + 59) / 60);
  auto call = golden::sample_call(3, doc_seconds * 1000);
  const OJson data = OJson::parse(generate(call)[1].body)["data"];
  CHECK(data["duration_seconds"] == doc_seconds);
  CHECK(data["duration_minutes"] == doc_minutes);
}
