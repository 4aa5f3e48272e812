// Voiceflow: generated payloads against the JSON examples of document 000
// (one example per event, after its schema block). The document's examples
// carry trailing commas, which are dropped before parsing; the schema blocks
// (with type names for values) are not JSON and are skipped.
#include <catch2/catch.hpp>

#include <map>
#include <regex>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "vendors/voiceflow.hpp"

namespace {

using golden::OJson;

std::map<std::string, OJson> voiceflow_examples() {
  const std::string text =
      std::regex_replace(golden::read_doc("000_58c1a76caf0c22a1.txt"), std::regex(R"(,(\s*)\})"), "$1}");
  std::map<std::string, OJson> out;
  for (const auto& example : golden::json_examples(text))
    if (example.contains("type")) out[example["type"].get<std::string>()] = example;
  return out;
}

std::vector<callhook::vendors::Delivery> generate(const callhook::population::Call& call,
                                                  const std::string& config_text = "{}") {
  return vtest::run(*vtest::configured(callhook::vendors::voiceflow_info(), config_text), call).all;
}

}  // namespace

TEST_CASE("voiceflow document examples are all found", "[golden][voiceflow]") {
  const auto examples = voiceflow_examples();
  for (const char* event : {"runtime.call.start", "runtime.call.end", "runtime.session.start", "runtime.session.end"})
    CHECK(examples.count(event) == 1);
}

TEST_CASE("voiceflow payloads have the document's fields, order and types", "[golden][voiceflow]") {
  const auto examples = voiceflow_examples();
  for (std::uint64_t seed : {1u, 2u, 77u}) {
    const auto batch = generate(golden::sample_call(seed));
    REQUIRE(batch.size() == 4);
    for (const auto& d : batch) {
      INFO(d.event << " " << d.body);
      REQUIRE(examples.count(d.event) == 1);
      const OJson body = OJson::parse(d.body);
      const OJson& doc = examples.at(d.event);
      CHECK(golden::differences(doc, body) == std::vector<std::string>{});
      CHECK(body["type"] == d.event);
      CHECK(d.event_field == "/type");
    }
  }
}

TEST_CASE("voiceflow values follow the document's example formats", "[golden][voiceflow]") {
  const auto examples = voiceflow_examples();
  const auto call = golden::sample_call(5);
  const auto batch = generate(call);
  std::map<std::string, OJson> by_event;
  for (const auto& d : batch) by_event[d.event] = OJson::parse(d.body);

  const std::string hex24 = "[0-9a-f]{24}";
  for (const auto& [event, doc] : examples) {
    INFO(event);
    const OJson& body = by_event.at(event);
    for (const char* key : {"projectID", "environmentID"}) {
      CHECK(golden::matches(doc["data"][key].get<std::string>(), hex24));
      CHECK(golden::matches(body["data"][key].get<std::string>(), hex24));
    }
    // "resource" is project-<projectID>, in the document and here.
    CHECK(doc["resource"] == "project-" + doc["data"]["projectID"].get<std::string>());
    CHECK(body["resource"] == "project-" + body["data"]["projectID"].get<std::string>());
    // Unix milliseconds: as many digits as the document's.
    CHECK(golden::digit_shape(std::to_string(body["time"].get<std::int64_t>())) ==
          golden::digit_shape(std::to_string(doc["time"].get<std::int64_t>())));
    CHECK(body["time"].get<std::int64_t>() >= body["data"]["startTime"].get<std::int64_t>());
  }
  const OJson& doc_meta = examples.at("runtime.call.start")["data"]["metadata"];
  const OJson& meta = by_event.at("runtime.call.start")["data"]["metadata"];
  CHECK(golden::matches(doc_meta["callSid"].get<std::string>(), "CA[0-9a-f]{32}"));
  CHECK(golden::matches(meta["callSid"].get<std::string>(), "CA[0-9a-f]{32}"));
  CHECK(meta["callType"] == doc_meta["callType"]);
  // On a phone call the user is the caller's number, as in the document.
  CHECK(examples.at("runtime.call.start")["data"]["userID"] == doc_meta["userNumber"]);
  CHECK(by_event.at("runtime.call.start")["data"]["userID"] == call.user_number);
  CHECK(meta["userNumber"] == call.user_number);
  CHECK(meta["agentNumber"] == call.agent_number);
  CHECK(golden::matches(by_event.at("runtime.session.start")["data"]["sessionID"].get<std::string>(), hex24));
  CHECK(golden::matches(examples.at("runtime.session.start")["data"]["sessionID"].get<std::string>(), hex24));
  // The call ends after it starts; the end reason is one the document names.
  const OJson& end = by_event.at("runtime.call.end")["data"];
  CHECK(end["endTime"].get<std::int64_t>() - end["startTime"].get<std::int64_t>() == call.duration_ms);
  CHECK(golden::matches(end["endReason"].get<std::string>(), "hangup|end trace|twiml|answering machine"));
}

TEST_CASE("voiceflow web-voice calls have empty metadata and an opaque user", "[golden][voiceflow]") {
  const auto examples = voiceflow_examples();
  auto call = golden::sample_call(8);
  call.platform = "web-voice";
  for (const auto& d : generate(call)) {
    INFO(d.body);
    const OJson body = OJson::parse(d.body);
    // The session examples of the document are a web-voice session.
    if (d.event.rfind("runtime.session.", 0) == 0) {
      CHECK(golden::matches(examples.at(d.event)["data"]["userID"].get<std::string>(), "[a-z0-9]{24}"));
      CHECK(golden::differences(examples.at(d.event), body) == std::vector<std::string>{});
    } else {
      CHECK(body["data"]["platform"] == "web-voice");
      CHECK(body["data"]["metadata"] == OJson::object());
    }
    CHECK(golden::matches(body["data"]["userID"].get<std::string>(), "[a-z0-9]{24}"));
  }
}
