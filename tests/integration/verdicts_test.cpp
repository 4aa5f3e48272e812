// Verdicts that know what must be rejected: a delivery sent with a bad
// signature must be refused; a receiver that refuses it passes, one that
// accepts it is a finding that fails the run. And probe records in the
// journal rebuild the same probe numbers and messages in `callhook report`.
#include <catch2/catch.hpp>

#include <mutex>
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

// Every delivery of two Atoms calls signed, and every signature wrong.
std::string bad_signature_scenario(const TempDir& dir) {
  return dir.write("bad-signature.json", R"({
    "name": "bad-signature", "seed": 11, "speed": "max",
    "streams": [{
      "vendor": "atoms", "calls": { "count": 2, "duration_s": 20 },
      "delivery": { "signing": { "secret": "k" } },
      "faults": { "bad_signature": 1 }
    }]
  })");
}

// Runs the bad-signature scenario against the receiver, with a report and a journal in `dir`.
callhook::testing::ProcessResult run_bad_signature(const Receiver& receiver, const TempDir& dir) {
  return run_callhook({"run", bad_signature_scenario(dir), "--target", receiver.url() + "/hooks", "--report",
                       dir.path("r.json"), "--journal", dir.path("j.jsonl"), "--progress", "never"});
}

std::size_t count_kind(const std::vector<json>& lines, const std::string& kind) {
  std::size_t n = 0;
  for (const json& line : lines) n += line.value("kind", "") == kind ? 1 : 0;
  return n;
}

}  // namespace

TEST_CASE("a receiver that accepts bad signatures is a finding and fails the run", "[integration][verdicts]") {
  Receiver receiver;  // 200 to everything
  TempDir dir;
  const auto result = run_bad_signature(receiver, dir);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  const json report = read_json(dir.path("r.json"));
  const json& totals = report.at("totals");
  const std::int64_t planned = totals.at("planned");
  REQUIRE(planned > 0);
  CHECK(totals.at("accepted_bad_signature") == planned);
  CHECK(totals.at("rejected_as_expected") == 0);
  CHECK(totals.at("findings") == planned);
  bool unmet = false;
  for (const json& e : report.at("expectations"))
    if (e.at("name") == "accepted_bad_signature" && e.at("met") == false) unmet = true;
  CHECK(unmet);
  CHECK(result.out.find("accepted_bad_signature") != std::string::npos);
  const auto journal = read_jsonl(dir.path("j.jsonl"));
  CHECK(count_kind(journal, "finding") == static_cast<std::size_t>(planned));
  CHECK(run_callhook({"report", dir.path("j.jsonl"), "--json", dir.path("rebuilt.json")}).exit_code == 0);
  CHECK(read_json(dir.path("rebuilt.json")).at("totals").at("accepted_bad_signature") == planned);
}

TEST_CASE("a receiver that refuses bad signatures with 401 passes: rejected as expected", "[integration][verdicts]") {
  Receiver receiver([](const httplib::Request&, httplib::Response& res) {
    res.status = 401;
    res.set_content(R"({"error":"bad signature"})", "application/json");
  });
  TempDir dir;
  const auto result = run_bad_signature(receiver, dir);
  INFO(result.out << result.err);
  CHECK(result.exit_code == 0);
  const json report = read_json(dir.path("r.json"));
  const json& totals = report.at("totals");
  const std::int64_t planned = totals.at("planned");
  REQUIRE(planned > 0);
  CHECK(totals.at("rejected_as_expected") == planned);
  CHECK(totals.at("failed") == 0);
  CHECK(totals.at("retried") == 0);
  CHECK(totals.at("sent") == planned);  // never retried
  CHECK(receiver.count() == static_cast<std::size_t>(planned));
  CHECK(totals.at("findings") == 0);
  CHECK(report.at("errors").empty());  // a refusal that had to happen is no error
  CHECK(report.at("accounting").at("ok") == true);
  CHECK(result.out.find("rejected as expected") != std::string::npos);
  std::size_t rejected_finals = 0;
  for (const json& line : read_jsonl(dir.path("j.jsonl")))
    if (line.value("kind", "") == "final" && line.value("result", "") == "rejected") ++rejected_finals;
  CHECK(rejected_finals == static_cast<std::size_t>(planned));
  const auto rebuilt = run_callhook({"report", dir.path("j.jsonl"), "--json", dir.path("rebuilt.json")});
  INFO(rebuilt.out << rebuilt.err);
  CHECK(rebuilt.exit_code == 0);
  CHECK(read_json(dir.path("rebuilt.json")).at("totals") == totals);
}

TEST_CASE("probe records survive callhook report: the same numbers and messages", "[integration][verdicts]") {
  // Every other call's probe finds it still active.
  std::mutex mutex;
  std::set<std::string> asked;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET") {
      res.set_content("{}", "application/json");
      return;
    }
    std::lock_guard lock(mutex);
    asked.insert(req.path);
    res.set_content(json{{"status", asked.size() % 2 == 0 ? "ended" : "active"}}.dump(), "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("probe.json", R"({
    "name": "probe-journal", "seed": 3, "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 4, "duration_s": 20 },
      "probe": { "url": ")" + receiver.url() + R"(/calls/{call_id}", "expect": { "/status": "ended" } } }]
  })");
  const auto result = run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--report",
                                    dir.path("r.json"), "--journal", dir.path("j.jsonl"), "--progress", "never"});
  INFO(result.out << result.err);
  const json report = read_json(dir.path("r.json"));
  REQUIRE(report.at("totals").at("probes") == 4);
  REQUIRE(report.at("totals").at("probe_failures") == 2);

  const auto journal = read_jsonl(dir.path("j.jsonl"));
  REQUIRE(count_kind(journal, "probe") == 4);
  for (const json& line : journal)
    if (line.value("kind", "") == "probe" && !line.at("passed").get<bool>()) {
      CHECK(line.at("message").get<std::string>().find("/status") != std::string::npos);
      CHECK(line.contains("answer"));
      CHECK(line.contains("pointer"));
    }

  const auto rebuilt = run_callhook({"report", dir.path("j.jsonl"), "--json", dir.path("rebuilt.json"), "--junit",
                                     dir.path("j.xml"), "--html", dir.path("r.html")});
  INFO(rebuilt.out << rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  const json again = read_json(dir.path("rebuilt.json"));
  CHECK(again.at("totals").at("probes") == report.at("totals").at("probes"));
  CHECK(again.at("totals").at("probe_failures") == report.at("totals").at("probe_failures"));
  CHECK(again.at("totals").at("failing_calls") == report.at("totals").at("failing_calls"));
  std::set<std::string> run_probes, rebuilt_probes;
  for (const json& p : report.at("probes")) run_probes.insert(p.dump());
  for (const json& p : again.at("probes")) rebuilt_probes.insert(p.dump());
  CHECK(run_probes == rebuilt_probes);

  // JUnit fails each probed-and-failed call with the probe's message; the
  // HTML timeline has a probe mark for every probe.
  std::ifstream junit_in(dir.path("j.xml"));
  const std::string junit((std::istreambuf_iterator<char>(junit_in)), std::istreambuf_iterator<char>());
  CHECK(junit.find("type=\"probe\"") != std::string::npos);
  std::ifstream html_in(dir.path("r.html"));
  const std::string html((std::istreambuf_iterator<char>(html_in)), std::istreambuf_iterator<char>());
  CHECK(html.find("\"p\":[{") != std::string::npos);
}
