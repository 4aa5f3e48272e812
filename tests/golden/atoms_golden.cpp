// Smallest.ai Atoms: generated payloads against the JSON examples of the
// (draft) document 002. The live format is not in the document; its shape is
// covered by the unit tests.
#include <catch2/catch.hpp>

#include <map>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "vendors/atoms.hpp"

namespace {

using golden::OJson;

struct Examples {
  OJson common;
  std::map<std::string, OJson> by_event;
};

Examples atoms_examples() {
  Examples out;
  for (const auto& example : golden::json_examples(golden::read_doc("002_b2caaa6e39eaf2fd.txt"))) {
    const std::string event = example.value("event", "");
    if (event.find('|') != std::string::npos)
      out.common = example;  // "call.start | call.end | analytics.completed"
    else
      out.by_event[event] = example;
  }
  return out;
}

std::vector<callhook::vendors::Delivery> generate(const callhook::population::Call& call) {
  return vtest::run(*vtest::configured(callhook::vendors::atoms_info()), call).all;
}

}  // namespace

TEST_CASE("atoms document examples are all found", "[golden][atoms]") {
  const Examples examples = atoms_examples();
  CHECK(examples.common.is_object());
  CHECK(examples.by_event.count("call.start") == 1);
  CHECK(examples.by_event.count("call.end") == 1);
  CHECK(examples.by_event.count("analytics.completed") == 1);
}

TEST_CASE("atoms payloads have the document's fields, order and types", "[golden][atoms]") {
  const Examples examples = atoms_examples();
  for (std::uint64_t seed : {1u, 2u, 3u, 40u}) {
    const auto batch = generate(golden::sample_call(seed));
    REQUIRE(batch.size() == 3);
    for (const auto& d : batch) {
      INFO(d.event << " " << d.body);
      REQUIRE(examples.by_event.count(d.event) == 1);
      const OJson body = OJson::parse(d.body);
      const OJson& doc = examples.by_event.at(d.event);
      CHECK(golden::differences(doc, body, {"/variables"}) == std::vector<std::string>{});
      // The common fields lead every event, in the common block's order.
      std::vector<std::string> common_keys, leading;
      for (const auto& item : examples.common.items()) common_keys.push_back(item.key());
      for (const auto& item : body.items())
        if (leading.size() < common_keys.size()) leading.push_back(item.key());
      CHECK(leading == common_keys);

      // Formats: the same shape as the document's values.
      CHECK(golden::digit_shape(body["timestamp"].get<std::string>()) ==
            golden::digit_shape(doc["timestamp"].get<std::string>()));
      const std::string agent_pattern = "agent_[a-z0-9]+";
      const std::string call_pattern = "call_[a-z0-9]+";
      CHECK(golden::matches(doc["agent_id"].get<std::string>(), agent_pattern));
      CHECK(golden::matches(body["agent_id"].get<std::string>(), agent_pattern));
      CHECK(golden::matches(doc["call_id"].get<std::string>(), call_pattern));
      CHECK(golden::matches(body["call_id"].get<std::string>(), call_pattern));
      CHECK(d.event_field == "/event");
      CHECK(body["event"] == d.event);
    }
  }
}

TEST_CASE("atoms field values follow the document's tables", "[golden][atoms]") {
  const Examples examples = atoms_examples();
  const std::string doc = golden::read_doc("002_b2caaa6e39eaf2fd.txt");
  // call_direction: the table says "inbound" or "outbound".
  REQUIRE(doc.find("\xE2\x80\x9Dinbound\xE2\x80\x9D or \xE2\x80\x9Coutbound\xE2\x80\x9D") != std::string::npos);
  for (const char* direction : {"inbound", "outbound"}) {
    auto call = golden::sample_call(5);
    call.direction = direction;
    const auto batch = generate(call);
    const OJson start = OJson::parse(batch[0].body);
    CHECK(start["call_direction"] == direction);
    CHECK(golden::matches(start["caller_phone"].get<std::string>(), golden::k_e164));
    CHECK(golden::matches(start["agent_phone"].get<std::string>(), golden::k_e164));
    CHECK(golden::matches(examples.by_event.at("call.start")["caller_phone"].get<std::string>(), golden::k_e164));

    const OJson end = OJson::parse(batch[1].body);
    const auto& doc_turns = examples.by_event.at("call.end")["transcript"];
    REQUIRE(end["transcript"].size() == call.turns.size());
    for (const auto& turn : end["transcript"]) {
      bool documented_role = false;
      for (const auto& d : doc_turns) documented_role = documented_role || d["role"] == turn["role"];
      CHECK(documented_role);
    }
    CHECK(end["duration_seconds"] == (call.duration_ms + 500) / 1000);
  }
}
