// Faults do what they say on the wire: VoiceBot's classic bug (session_end
// before session_start) reaches the receiver, and a fault that could not
// change a byte is refused up front.
#include <catch2/catch.hpp>

#include <map>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

TEST_CASE("voicebot end_before_start: session_end reaches the receiver before session_start", "[integration][faults]") {
  // The handshake's answer is not JSON: it is still parsed after the early
  // end, and each session records a finding for it.
  Receiver receiver([](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_object() && body.value("trigger_reason", "") == "start")
      res.set_content("thanks", "text/plain");
    else
      res.set_content(R"({"http_code":200,"response":{"data":{},"error_data":null}})", "application/json");
  });
  TempDir dir;
  const std::string scenario = dir.write("ebs.json", R"({
    "seed": 5, "speed": "max",
    "streams": [{
      "vendor": "voicebot",
      "calls": { "count": 4, "duration_s": 60, "turns": 3, "arrival": { "rate_per_s": 1 } },
      "delivery": { "ordering": "strict" },
      "faults": { "reorder": { "p": 1, "patterns": ["end_before_start"] } }
    }]
  })");
  const auto result = run_callhook({"run", scenario, "--target", receiver.url() + "/vb", "--report",
                                    dir.path("report.json"), "--progress", "never"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);

  // Per call, in arrival order: which of start and end came first, and how many ends.
  std::map<std::string, std::vector<std::string>> seen;
  for (const auto& r : receiver.received()) {
    const json body = json::parse(r.body);
    const std::string reason = body["trigger_reason"];
    if (reason == "start" || reason == "end") seen[body["external_id"]].push_back(reason);
  }
  REQUIRE(seen.size() == 4);
  for (const auto& [call, order] : seen) {
    CAPTURE(call);
    CHECK(order == std::vector<std::string>{"end", "start"});
  }
  const json report = read_json(dir.path("report.json"));
  CHECK(report["faults"]["end_before_start"] == 8);  // each session_end and session_start it moved
  CHECK(report["totals"]["findings"] == 4);          // the answers, parsed after the early end
  CHECK(report["events"]["session_start"]["out_of_order"] == 4);
  CHECK(report["accounting"]["ok"] == true);
}

TEST_CASE("faults that cannot change the bytes are refused by validate and run", "[integration][faults]") {
  TempDir dir;
  const std::string scenario = dir.write("useless.json", R"({
    "streams": [{
      "vendor": "atoms", "calls": { "count": 1 },
      "delivery": { "signing": { "secret": "k" } },
      "faults": { "stale_timestamp": 0.5, "reorder": { "patterns": ["transcripts_out_of_sequence"] } }
    }]
  })");
  for (const std::string command : {"validate", "run"}) {
    const auto result = run_callhook({command, scenario});
    INFO(result.out << result.err);
    CHECK(result.exit_code == 2);
    CHECK(result.err.find("/streams/0/faults/stale_timestamp: cannot act: X-Signature carries no timestamp") !=
          std::string::npos);
    CHECK(result.err.find("/streams/0/faults/reorder/patterns/0: cannot act: \"transcripts_out_of_sequence\" moves "
                          "transcript events, and vendor \"atoms\" sends none") != std::string::npos);
  }
}
