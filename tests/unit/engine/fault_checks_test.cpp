// Faults that cannot act are refused with the reason, at their pointer; an
// inherited one is switched off where it cannot act.
#include <catch2/catch.hpp>

#include "engine/plan.hpp"
#include "faults/faults.hpp"
#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;

namespace {

// The problems make_plan reports, formatted as validate prints them.
std::string problems_of(const std::string& stream) {
  const std::string text = R"({"streams": [)" + stream + "]}";
  auto loaded = scenario::parse_scenario(text, "t.json", vendors::catalog());
  INFO(loaded.problems.format("t.json"));
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  const auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                      "http://127.0.0.1:9/recordings", problems);
  CHECK(plan.has_value() == problems.empty());
  return problems.format("t.json");
}

const std::string k_not_signed =
    "cannot act: the deliveries it applies to are not signed (signing scheme \"none\"); give delivery.signing a "
    "scheme and secret\n";

}  // namespace

TEST_CASE("signature faults need a signature that can carry them", "[engine][faults]") {
  struct Row {
    std::string stream;
    std::string expected;
  };
  const std::vector<Row> rows = {
      // X-Signature has no timestamp.
      {R"({"vendor": "atoms", "calls": {"count": 1}, "delivery": {"signing": {"secret": "k"}},
           "faults": {"stale_timestamp": 0.5, "bad_signature": 0.5}})",
       "t.json: /streams/0/faults/stale_timestamp: cannot act: X-Signature carries no timestamp, so there is none to "
       "make stale; it needs scheme \"standard\" or \"svix\"\n"},
      // Nothing signed: neither fault changes a byte.
      {R"({"vendor": "voicebot", "calls": {"count": 1}, "faults": {"stale_timestamp": 1, "bad_signature": 0.1}})",
       "t.json: /streams/0/faults/stale_timestamp: " + k_not_signed +
           "t.json: /streams/0/faults/bad_signature: " + k_not_signed},
      // Per event: the event's own plan, against the event's own scheme.
      {R"({"vendor": "voiceflow", "calls": {"count": 1},
           "delivery": {"signing": {"secret": "whsec_c2Vjb25k"},
                        "events": {"runtime.call.end": {"signing": {"scheme": "x-signature", "secret": "k"}}}},
           "faults": {"events": {"runtime.call.end": {"stale_timestamp": 0.5}, "runtime.call.start": {"stale_timestamp": 0.5}}}})",
       "t.json: /streams/0/faults/events/runtime.call.end/stale_timestamp: cannot act: X-Signature carries no "
       "timestamp, so there is none to make stale; it needs scheme \"standard\" or \"svix\"\n"},
      // Signed: both act.
      {R"({"vendor": "voiceflow", "calls": {"count": 1}, "delivery": {"signing": {"secret": "whsec_c2Vjb25k"}},
           "faults": {"stale_timestamp": 0.5, "bad_signature": 0.5}})",
       ""},
      {R"({"vendor": "atoms", "calls": {"count": 1}, "delivery": {"signing": {"secret": "k"}},
           "faults": {"bad_signature": 0.5}})",
       ""},
      // A stream-level fault acts when one event signs, even if the stream does not.
      {R"({"vendor": "voicebot", "calls": {"count": 1},
           "delivery": {"events": {"session_end": {"signing": {"scheme": "standard", "secret": "c2Vjb25k"}}}},
           "faults": {"stale_timestamp": 0.5}})",
       ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.stream);
    CHECK(problems_of(row.stream) == row.expected);
  }
}

TEST_CASE("reorder patterns need the events they move, vendor by vendor", "[engine][faults]") {
  struct Row {
    std::string vendor;
    std::string pattern;
    bool acts;
    std::string why;  // when it does not
  };
  const std::string end = "moves an end event (that closes a start)";
  const std::string recording = "moves a recording event that follows the call's end";
  const std::string transcripts = "moves transcript events";
  const std::vector<Row> rows = {
      {"voiceflow", "end_before_start", true, ""},
      {"voiceflow", "recording_before_end", false, recording},
      {"voiceflow", "transcripts_out_of_sequence", false, transcripts},
      {"voicebot", "end_before_start", true, ""},
      {"voicebot", "recording_before_end", false, recording},
      {"voicebot", "transcripts_out_of_sequence", true, ""},
      {"atoms", "end_before_start", true, ""},
      {"atoms", "recording_before_end", false, recording},
      {"atoms", "transcripts_out_of_sequence", false, transcripts},
      {"fonedynamics", "end_before_start", true, ""},
      {"fonedynamics", "recording_before_end", false, recording},
      {"fonedynamics", "transcripts_out_of_sequence", false, transcripts},
      {"voicekit", "end_before_start", true, ""},
      {"voicekit", "recording_before_end", true, ""},
      {"voicekit", "transcripts_out_of_sequence", false, transcripts},
  };
  for (const auto& row : rows) {
    CAPTURE(row.vendor, row.pattern);
    const std::string stream = R"({"vendor": ")" + row.vendor + R"(", "calls": {"count": 1},
        "faults": {"reorder": {"p": 1, "patterns": ["end_before_start", ")" +
                               row.pattern + R"("]}}})";
    const std::string expected = row.acts
                                     ? ""
                                     : "t.json: /streams/0/faults/reorder/patterns/1: cannot act: \"" + row.pattern +
                                           "\" " + row.why + ", and vendor \"" + row.vendor + "\" sends none\n";
    CHECK(problems_of(stream) == expected);
  }
}

TEST_CASE("a pattern in an event's plan must name an event it moves", "[engine][faults]") {
  CHECK(problems_of(R"({"vendor": "voicebot", "calls": {"count": 1},
          "faults": {"events": {"session_start": {"reorder": {"patterns": ["end_before_start"]}},
                                "session_end": {"reorder": {"patterns": ["end_before_start"]}}}}})") ==
        "t.json: /streams/0/faults/events/session_start/reorder/patterns/0: cannot act: \"end_before_start\" moves an "
        "end event (that closes a start), and \"session_start\" is not one (or is switched off in vendor_config)\n");
}

TEST_CASE("a pattern whose events the vendor_config switches off cannot act", "[engine][faults]") {
  // Without session_start there is no start for session_end to pass.
  CHECK(problems_of(R"({"vendor": "voicebot", "calls": {"count": 1},
          "vendor_config": {"webhooks": {"session_start": {"enabled": false}}},
          "faults": {"reorder": {"patterns": ["end_before_start", "transcripts_out_of_sequence"]}}})") ==
        "t.json: /streams/0/faults/reorder/patterns/0: cannot act: \"end_before_start\" moves an end event (that "
        "closes a start), and vendor \"voicebot\" sends none\n");
  CHECK(problems_of(R"({"vendor": "voicebot", "calls": {"count": 1},
          "vendor_config": {"webhooks": {"transcript_events": {"enabled": false}}},
          "faults": {"reorder": {"patterns": ["end_before_start", "transcripts_out_of_sequence"]}}})") ==
        "t.json: /streams/0/faults/reorder/patterns/1: cannot act: \"transcripts_out_of_sequence\" moves transcript "
        "events, and vendor \"voicebot\" sends none\n");
}

TEST_CASE("a stream-level signature fault is off for an event that cannot carry it", "[engine][faults]") {
  auto loaded = scenario::parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"signing": {"secret": "whsec_c2Vjb25k"},
                   "events": {"runtime.call.end": {"signing": {"scheme": "x-signature", "secret": "k"}}}},
      "faults": {"bad_signature": 1, "stale_timestamp": 1}}]})",
                                         "t.json", vendors::catalog());
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  const auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                      "http://127.0.0.1:9/recordings", problems);
  REQUIRE(plan);
  const auto& stream = plan->scenario.streams[0];
  CHECK(faults::plan_for(stream, "runtime.call.end").bad_signature_p == 1);  // X-Signature can be wrong
  CHECK(faults::plan_for(stream, "runtime.call.end").stale_timestamp_p == 0);
  CHECK(faults::plan_for(stream, "runtime.call.start").bad_signature_p == 1);
  CHECK(faults::plan_for(stream, "runtime.call.start").stale_timestamp_p == 1);
}
