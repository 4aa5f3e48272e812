// Numbers that mean what they say, through the real binary: a limit on
// nothing fails, short runs' rates, call-back legs, the whole run's time
// limit, progress lines off a terminal, and the messages around them.
#include <catch2/catch.hpp>

#include <string>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::read_json;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;

TEST_CASE("a latency limit with no receiver running fails with no data", "[integration][numbers]") {
  TempDir dir;
  const std::string scenario = dir.write("s.json", R"({
    "speed": "max",
    "streams": [{ "vendor": "atoms", "calls": { "count": 2 }, "delivery": { "retry": { "max_attempts": 1 } } }],
    "expect": { "p99_latency_ms": 1000 }
  })");
  const std::string target = "http://127.0.0.1:" + std::to_string(free_port()) + "/hooks";
  const auto run =
      run_callhook({"run", scenario, "--target", target, "--json", dir.path("r.json"), "--progress", "never"});
  INFO(run.out << run.err);
  CHECK(run.exit_code == 1);
  CHECK_THAT(run.out, Catch::Contains("\u2717 p99_latency_ms: no data (no answered attempts)"));
  CHECK_THAT(run.out, !Catch::Contains("p99_latency_ms 0 <= 1000"));
  CHECK_THAT(run.out, Catch::Contains("\u2013"));  // the latency columns
  // The error kind says "connect" once.
  CHECK_THAT(run.out, Catch::Contains(": connect (Connection refused) after 1 attempt"));
  CHECK_THAT(run.out + run.err, !Catch::Contains("connect: connect"));
  const auto report = read_json(dir.path("r.json"));
  CHECK(report["latency_ms"]["p99"].is_null());
  CHECK(report["expectations"][0]["actual"].is_null());
  CHECK(report["expectations"][0]["met"] == false);
}

TEST_CASE("a short run's throughput is over its real span", "[integration][numbers]") {
  Receiver receiver;
  TempDir dir;
  const auto run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks",
                                 "--speed", "max", "--json", dir.path("r.json"), "--progress", "never"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto report = read_json(dir.path("r.json"));
  const auto& throughput = report["throughput"];
  const double span_ms = throughput["span_ms"].get<double>();
  const double sent = report["totals"]["sent"].get<double>();
  REQUIRE(span_ms > 0);
  REQUIRE(span_ms < 1000);  // a short run: the case the whole second got wrong
  CHECK(throughput["mean_sent_per_s"].get<double>() == Approx(sent * 1000 / span_ms).epsilon(0.01));
  CHECK(throughput["mean_sent_per_s"].get<double>() > sent);
  CHECK(throughput["peak_sent_per_s"].get<double>() >= throughput["mean_sent_per_s"].get<double>() - 0.5);
}

TEST_CASE("call-back legs are counted as legs: calls and failing calls agree", "[integration][numbers]") {
  TempDir dir;
  const std::string scenario = dir.write("s.json", R"({
    "speed": "max", "seed": 3,
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 20, "return_p": 0.5, "platform": "twilio" } }]
  })");
  Receiver failing([](const httplib::Request&, httplib::Response& res) { res.status = 500; });
  const auto run = run_callhook({"run", scenario, "--target", failing.url() + "/hooks", "--json", dir.path("r.json"),
                                 "--journal", dir.path("j.jsonl"), "--progress", "never"});
  INFO(run.out << run.err);
  const auto report = read_json(dir.path("r.json"));
  const std::int64_t legs = report["run"]["call_back_legs"].get<std::int64_t>();
  REQUIRE(legs > 0);
  CHECK(report["run"]["calls"] == 20);
  CHECK_THAT(run.out, Catch::Contains("calls 20 (+" + std::to_string(legs) + " call-back legs)"));
  CHECK_THAT(run.out, Catch::Contains("failing calls and call-back legs (" + std::to_string(20 + legs) + "):"));
  CHECK_THAT(run.out, Catch::Contains(" more failures in this call)"));
  // The journal's rebuild counts the same calls and legs.
  const auto rebuilt = run_callhook({"report", dir.path("j.jsonl"), "--json", dir.path("rebuilt.json"), "--quiet"});
  REQUIRE(rebuilt.exit_code == 0);
  const auto again = read_json(dir.path("rebuilt.json"));
  CHECK(again["run"]["calls"] == 20);
  CHECK(again["run"]["call_back_legs"] == legs);
}

TEST_CASE("--max-duration stops the whole run as an interrupt does and exits 4", "[integration][numbers]") {
  Receiver receiver;
  TempDir dir;
  // Real time: the calls would take minutes.
  const auto run = run_callhook(
      {"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks", "--speed", "1", "--max-duration",
       "1", "--json", dir.path("r.json"), "--journal", dir.path("j.jsonl"), "--progress", "never"},
      60);
  INFO(run.out << run.err);
  CHECK(run.exit_code == 4);
  CHECK_THAT(run.out, Catch::Contains("stopped at the max duration (1.0s): "));
  CHECK_THAT(run.err, Catch::Contains("callhook: run stopped at its max duration: "));
  const auto report = read_json(dir.path("r.json"));
  CHECK(report["interrupted"] == true);
  CHECK(report["max_duration_reached"] == true);
  CHECK(report["exit_code"] == 4);
  CHECK(report["accounting"]["ok"] == true);
  CHECK(report["totals"]["cancelled"].get<int>() > 0);
  CHECK(report["duration_s"].get<double>() < 5);
  // An interrupted real-time run's virtual time is how far its clock ran (1 s at speed 1), not its last send.
  CHECK(report["run"]["virtual_span_ms"].get<std::int64_t>() >= 1000);
  CHECK(report["run"]["virtual_span_ms"].get<std::int64_t>() < 5000);

  const auto bad = run_callhook({"run", "scenarios/voiceflow-basic.json", "--max-duration", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--max-duration"));
}

TEST_CASE("a --max-duration the run stays within changes nothing about its timing", "[integration][numbers]") {
  Receiver receiver;
  TempDir dir;
  // 7m34s of virtual time at 1000x: about half a second, each delivery sent on time.
  const auto run =
      run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks", "--speed", "1000",
                    "--max-duration", "600", "--json", dir.path("r.json"), "--progress", "never"},
                   60);
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const auto report = read_json(dir.path("r.json"));
  CHECK(report["interrupted"] == false);
  CHECK(report["max_duration_reached"] == false);
  CHECK(report["totals"]["delivered"] == report["totals"]["planned"]);
  // Waiting for the limit must not stop the engine waking for each due delivery: an engine that slept
  // towards the limit would be late for most of them. The median, not p99, because the first
  // sends of a process under a sanitizer are late for reasons that are not the wait.
  CHECK(report["lateness_ms"]["p50"].get<double>() < 50);
}

TEST_CASE("progress lines off a terminal: none for a run under 5 s", "[integration][numbers]") {
  Receiver receiver;
  const auto run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks",
                                 "--speed", "max", "--progress", "auto"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK_THAT(run.err, !Catch::Contains("in flight"));
  CHECK_THAT(run.out, !Catch::Contains("in flight"));
}

TEST_CASE("sink --help: per-delivery status sequences and the handshakes it answers", "[integration][numbers]") {
  const auto help = run_callhook({"sink", "--help"});
  REQUIRE(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("per=delivery"));
  CHECK_THAT(help.out, Catch::Contains("Vendor handshakes get the minimal answer their"));
  CHECK_THAT(help.out, Catch::Contains("call_started_hook"));
  const auto bad = run_callhook({"sink", "--respond", "status=500 per=call"});
  CHECK(bad.exit_code == 2);
  CHECK_THAT(bad.err, Catch::Contains("expected rule or delivery, got \"call\""));
}

TEST_CASE("messages: version, a missing file, a vendor_config an event needs, one problem per typo",
          "[integration][numbers]") {
  const auto version = run_callhook({"version"});
  const auto flag = run_callhook({"--version"});
  CHECK(version.exit_code == 0);
  CHECK(version.out == flag.out);
  CHECK_THAT(version.out, Catch::StartsWith("callhook "));

  const auto missing = run_callhook({"validate", "demo.jsn"});
  CHECK(missing.exit_code == 2);
  CHECK_THAT(missing.out + missing.err, Catch::Contains("cannot read demo.jsn: no such file\n"));

  const auto live = run_callhook({"sample", "atoms", "pre-conversation"});
  CHECK(live.exit_code == 2);
  CHECK_THAT(live.err, Catch::Contains(R"(it needs vendor_config {"format":"live"} (--config '{"format":"live"}'))"));
  const auto config = run_callhook({"sample", "atoms", "pre-conversation", "--config", R"({"format":"live"})"});
  CHECK(config.exit_code == 0);

  TempDir dir;
  const auto typo = run_callhook({"validate", dir.write("t.json", R"({"stream": [{"vendor": "atoms"}]})")});
  CHECK(typo.exit_code == 2);
  CHECK_THAT(typo.out + typo.err, Catch::Contains("/stream: unknown key (did you mean \"streams\"?)"));
  CHECK_THAT(typo.out + typo.err, !Catch::Contains("is required"));
}
