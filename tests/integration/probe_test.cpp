// Probes against a real loopback receiver: {call.*} placeholders in the
// URL, headers and expected values, polling an eventually consistent
// receiver, a failed probe failing the run, and lost_ack duplicates with
// the same delivery id.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <mutex>
#include <set>
#include <string>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::Received;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

const std::string k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

// A Voiceflow receiver that keeps each call (by callSid) and answers
// GET /calls/{id} with what it knows. It is eventually consistent: a call's
// first two reads say "processing" whatever happened.
struct CallStore {
  struct Call {
    std::string from;
    int starts = 0;
    bool ended = false;
    int reads = 0;
  };
  std::mutex mutex;
  std::map<std::string, Call> calls;
  std::set<std::string> session_ids;
  std::vector<std::string> session_headers;  // X-Session of each probe

  void handle(const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    if (req.method == "POST") {
      const json body = json::parse(req.body);
      const auto& data = body.at("data");
      if (data.contains("sessionID")) session_ids.insert(data.at("sessionID").get<std::string>());
      if (data.contains("metadata") && data.at("metadata").contains("callSid")) {
        Call& call = calls[data.at("metadata").at("callSid").get<std::string>()];
        call.from = data.at("metadata").at("userNumber");
        if (body.at("type") == "runtime.call.start") ++call.starts;
        if (body.at("type") == "runtime.call.end") call.ended = true;
      }
      res.set_content("{}", "application/json");
      return;
    }
    const std::string id = req.path.substr(std::string("/calls/").size());
    if (!calls.count(id)) {
      res.status = 404;
      return;
    }
    Call& call = calls[id];
    session_headers.push_back(req.get_header_value("X-Session"));
    const bool settled = ++call.reads > 2;
    res.set_content(json{{"status", settled && call.ended ? "ended" : "processing"},
                         {"from", call.from},
                         {"asked_from", req.get_param_value("from")},
                         {"starts", call.starts}}
                        .dump(),
                    "application/json");
  }
};

std::size_t probe_gets(const Receiver& receiver) {
  const auto all = receiver.received();
  return static_cast<std::size_t>(
      std::count_if(all.begin(), all.end(), [](const Received& r) { return r.method == "GET"; }));
}

}  // namespace

TEST_CASE("a probe with placeholders polls an eventually consistent receiver until it agrees", "[integration][probe]") {
  CallStore store;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) { store.handle(req, res); });
  TempDir dir;
  const auto scenario = dir.write("probe.json", R"({
    "seed": 7, "streams": [{ "vendor": "voiceflow", "calls": { "count": 3, "duration_s": 20 },
      "probe": { "url": ")" + receiver.url() + R"(/calls/{call.id}?from={call.from}",
                 "headers": { "X-Session": "{call.session_id}" },
                 "expect": { "/status": "ended", "/from": "{call.from}", "/asked_from": "{call.from}",
                             "/starts": "{call.delivered.runtime.call.start}", "/error": { "absent": true } },
                 "until_ms": 5000, "interval_ms": 50 } }]
  })");
  const auto result = run_callhook(
      {"run", scenario, "--target", receiver.url() + "/hooks", "--progress", "never", "--report", dir.path("r.json")});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  const json report = read_json(dir.path("r.json"));
  REQUIRE(report.at("probes").size() == 3);
  for (const auto& probe : report.at("probes")) {
    INFO(probe.dump());
    CHECK(probe.at("passed") == true);
    // The URL carries the number percent-encoded ("+" is %2B).
    CHECK(probe.at("url").get<std::string>().find("?from=%2B1") != std::string::npos);
  }
  CHECK(probe_gets(receiver) == 9);  // three reads per call: two "processing", then "ended"
  std::lock_guard lock(store.mutex);
  REQUIRE(store.session_headers.size() == 9);
  for (const auto& header : store.session_headers) CHECK(store.session_ids.count(header) == 1);
}

TEST_CASE("a failed probe fails the run without an expect block", "[integration][probe]") {
  CallStore store;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) { store.handle(req, res); });
  TempDir dir;
  // One read only: the receiver still says "processing", so the probe fails.
  const auto scenario = dir.write("probe.json", R"({
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 2, "duration_s": 20 },
      "probe": { "url": ")" + receiver.url() + R"(/calls/{call_id}", "expect": { "/status": "ended" } } }]
  })");
  const auto result = run_callhook(
      {"run", scenario, "--target", receiver.url() + "/hooks", "--progress", "never", "--report", dir.path("r.json")});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  CHECK(result.out.find("/status: expected \"ended\", got \"processing\"") != std::string::npos);
  CHECK(read_json(dir.path("r.json")).at("totals").at("probe_failures") == 2);
}

TEST_CASE("lost_ack: the receiver gets the same delivery id twice, and the accounting stays exact",
          "[integration][faults]") {
  Receiver receiver;
  TempDir dir;
  const auto scenario = dir.write("lost.json", R"({
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 2, "duration_s": 20 },
      "delivery": { "signing": { "scheme": "standard", "secret": ")" +
                                                   k_secret + R"(" },
                    "retry": { "max_attempts": 3, "backoff_ms": [20] } },
      "faults": { "events": { "runtime.call.end": { "lost_ack": 1 } } } }]
  })");
  const auto result = run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--progress", "never",
                                    "--report", dir.path("r.json"), "--journal", dir.path("j.jsonl")});
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  std::map<std::string, int> ends;  // webhook-id -> times the receiver saw it
  for (const auto& r : receiver.received())
    if (json::parse(r.body).at("type") == "runtime.call.end") ++ends[r.header("webhook-id")];
  REQUIRE(ends.size() == 2);
  for (const auto& [id, seen] : ends) CHECK(seen == 2);

  const json report = read_json(dir.path("r.json"));
  CHECK(report.at("faults").at("lost_ack") == 2);
  CHECK(report.at("totals").at("delivered") == 8);
  CHECK(report.at("totals").at("failed") == 0);
  int lost = 0, resent = 0;
  for (const auto& rec : read_jsonl(dir.path("j.jsonl"))) {
    if (rec.at("kind") != "attempt" || rec.at("event") != "runtime.call.end") continue;
    const auto& faults = rec.at("faults");
    CHECK(std::find(faults.begin(), faults.end(), json("lost_ack")) != faults.end());
    CHECK(rec.at("status") == 200);
    if (rec.at("attempt") == 1) {
      ++lost;
      CHECK(rec.at("verdict") == "failed");
      CHECK(rec.at("will_retry") == true);
    } else {
      ++resent;
      CHECK(rec.at("verdict") == "delivered");
    }
  }
  CHECK(lost == 2);
  CHECK(resent == 2);
}
