// The real binary against a real receiver on loopback.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

// The shape the Voiceflow document gives each event (field -> JSON type).
void check_voiceflow_shape(const json& body) {
  REQUIRE(body.is_object());
  const std::string type = body.at("type");
  const std::set<std::string> types = {"runtime.call.start", "runtime.call.end", "runtime.session.start",
                                       "runtime.session.end"};
  REQUIRE(types.count(type) == 1);
  REQUIRE(body.at("time").is_number_integer());
  const json& data = body.at("data");
  REQUIRE(body.at("resource") == "project-" + data.at("projectID").get<std::string>());
  REQUIRE(data.at("userID").is_string());
  REQUIRE(data.at("environmentID").is_string());
  REQUIRE(data.at("startTime").is_number_integer());
  if (type.find("call") != std::string::npos) {
    const std::string platform = data.at("platform");
    REQUIRE(data.at("metadata").is_object());
    if (platform == "twilio") {
      const std::string sid = data.at("metadata").at("callSid");
      REQUIRE(sid.size() == 34);
      REQUIRE(sid.substr(0, 2) == "CA");
      REQUIRE(data.at("metadata").at("userNumber") == data.at("userID"));
    }
    if (platform == "web-voice") REQUIRE(data.at("metadata").empty());
  } else {
    REQUIRE(data.at("sessionID").get<std::string>().size() == 24);
  }
  if (type.size() > 4 && type.substr(type.size() - 4) == ".end") {
    REQUIRE(data.at("endTime").is_number_integer());
    REQUIRE(data.at("endTime").get<std::int64_t>() >= data.at("startTime").get<std::int64_t>());
  }
}

}  // namespace

TEST_CASE("voiceflow-basic at max speed: every webhook arrives, shaped, and the report matches", "[integration]") {
  Receiver receiver;
  TempDir dir;
  const auto result = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks",
                                    "--speed", "max", "--report", dir.path("report.json"), "--journal",
                                    dir.path("journal.jsonl"), "--progress", "never"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const json report = read_json(dir.path("report.json"));
  const auto received = receiver.received();
  REQUIRE(report["totals"]["planned"].is_number_integer());
  REQUIRE(report["totals"]["delivered"].get<std::size_t>() == received.size());
  REQUIRE(report["totals"]["failed"] == 0);
  REQUIRE(report["totals"]["planned"] == report["totals"]["delivered"]);
  std::map<std::string, int> per_type;
  for (const auto& r : received) {
    REQUIRE(r.method == "POST");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.header("Content-Type") == "application/json");
    const json body = json::parse(r.body);
    check_voiceflow_shape(body);
    ++per_type[body["type"]];
  }
  // Twenty calls, twenty sessions; returning callers add call pairs only.
  REQUIRE(per_type["runtime.session.start"] == 20);
  REQUIRE(per_type["runtime.session.end"] == 20);
  REQUIRE(per_type["runtime.call.start"] == per_type["runtime.call.end"]);
  REQUIRE(per_type["runtime.call.start"] >= 20);
  for (const auto& [type, n] : per_type) REQUIRE(report["events"][type]["delivered"] == n);

  // The journal has one final record per planned delivery.
  int finals = 0;
  for (const auto& rec : read_jsonl(dir.path("journal.jsonl")))
    if (rec["kind"] == "final") ++finals;
  REQUIRE(finals == report["totals"]["planned"].get<int>());
}

TEST_CASE("a receiver that dies mid-run: retries, then every delivery is accounted for", "[integration]") {
  std::atomic<int> seen{0};
  std::unique_ptr<Receiver> receiver;
  receiver = std::make_unique<Receiver>([&](const httplib::Request&, httplib::Response& res) {
    ++seen;
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const std::string url = receiver->url();
  // Stop the receiver once it has seen a few webhooks, while the run goes on.
  std::thread killer([&] {
    for (int i = 0; i < 2000 && seen < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    receiver->stop();
  });
  const auto scenario = dir.write("s.json", R"({
    "seed": 3, "speed": 200,
    "streams": [{ "vendor": "voiceflow",
      "calls": { "count": 30, "arrival": { "rate_per_s": 1 }, "duration_s": 10 },
      "delivery": { "timeout_ms": 500, "connect_timeout_ms": 200,
                    "retry": { "max_attempts": 3, "backoff_ms": [100, 200] } } }]
  })");
  const auto result = run_callhook({"run", scenario, "--target", url + "/hooks", "--report", dir.path("r.json"),
                                    "--journal", dir.path("j.jsonl"), "--progress", "never"});
  killer.join();
  INFO(result.out << result.err);
  REQUIRE((result.exit_code == 0 || result.exit_code == 1));
  const json report = read_json(dir.path("r.json"));
  const auto& t = report["totals"];
  REQUIRE(t["failed"].get<int>() > 0);
  REQUIRE(t["delivered"].get<int>() >= 10);
  REQUIRE(t["planned"].get<int>() == t["delivered"].get<int>() + t["failed"].get<int>() + t["dropped"].get<int>());
  REQUIRE(report["accounting"]["ok"] == true);
  // Each failed delivery was tried three times, as configured.
  std::map<std::string, int> attempts;
  for (const auto& rec : read_jsonl(dir.path("j.jsonl"))) {
    if (rec["kind"] == "final" && rec["result"] == "failed") REQUIRE(rec["attempts"] == 3);
  }
  REQUIRE(result.out.find("accounting") != std::string::npos);
}

TEST_CASE("the demo runs against the built-in sink with no receiver of one's own", "[integration]") {
  TempDir dir;
  const auto result = run_callhook({"run", "scenarios/demo.json", "--speed", "max", "--report", dir.path("r.json")});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const json report = read_json(dir.path("r.json"));
  REQUIRE(report["totals"]["delivered"].get<int>() > 0);
  REQUIRE(report["totals"]["delivered"] == report["totals"]["planned"]);
}

TEST_CASE("an unmet expectation gives exit code 1", "[integration]") {
  Receiver receiver([](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  TempDir dir;
  const auto scenario = dir.write("s.json", R"({
    "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 2 },
                  "delivery": { "retry": { "max_attempts": 2, "backoff_ms": [10] } } }],
    "expect": { "failed": 0 }
  })");
  const auto result = run_callhook({"run", scenario, "--target", receiver.url(), "--progress", "never"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 1);
  REQUIRE(receiver.count() == 16);  // 2 calls x 4 events x 2 attempts
}
