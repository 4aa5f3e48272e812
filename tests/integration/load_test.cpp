// Load: a short ramp against the built-in sink, paced in real time.
#include <catch2/catch.hpp>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;

TEST_CASE("a ramp's planned rate curve shows in the per-second throughput", "[integration][load]") {
  TempDir dir;
  // Fone Dynamics sends two webhooks per call, at its start and its end
  // one second later, so sends per second follow arrivals closely.
  // Arrivals ramp 0 -> 120 calls/s over 3 s, then back to 0 over 3 s.
  const auto scenario = dir.write("ramp.json", R"({
    "name": "ramp", "speed": 1, "concurrency": 256,
    "streams": [{ "vendor": "fonedynamics",
      "calls": { "duration_s": 1,
                 "arrival": { "start_rate": 0, "stages": [ { "duration_s": 3, "target_rate": 120 },
                                                           { "duration_s": 3, "target_rate": 0 } ] } } }]
  })");
  const auto result = run_callhook({"run", scenario, "--report", dir.path("r.json"), "--progress", "always"});
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const auto report = read_json(dir.path("r.json"));
  const auto& t = report["totals"];
  REQUIRE(t["planned"] == t["delivered"]);
  // 0.5 * 6 s * 120 calls/s = 360 calls, two webhooks each.
  CHECK(t["planned"].get<int>() == Approx(720).margin(6));
  const auto& seconds = report["throughput"]["per_second"];
  REQUIRE(seconds.size() >= 7);
  std::vector<int> sent;
  for (const auto& s : seconds) sent.push_back(s["sent"].get<int>());
  // Rising for three seconds, falling after: the triangle of the stages.
  CHECK(sent[0] < sent[1]);
  CHECK(sent[1] < sent[2]);
  CHECK(sent[2] < sent[3]);
  CHECK(sent[4] > sent[5]);
  CHECK(sent[5] > sent[6]);
  CHECK(sent[3] > 150);
  // The live progress line appears in logs (not a terminal) with --progress always.
  CHECK(result.err.find("calls ") != std::string::npos);
  CHECK(result.err.find("delivered") != std::string::npos);
  CHECK(report["lateness_ms"]["p99"].get<double>() < 100);
}
