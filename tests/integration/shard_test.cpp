// Shards: N processes, each playing the calls whose index falls to it, add
// up to the whole run, call for call and byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include <stdlib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

std::vector<std::string> sorted_bodies(const Receiver& receiver) {
  std::vector<std::string> bodies;
  for (const auto& r : receiver.received()) bodies.push_back(r.body);
  std::sort(bodies.begin(), bodies.end());
  return bodies;
}

}  // namespace

TEST_CASE("four shards send exactly the whole run's bodies, with the same totals", "[integration][shard]") {
  for (const char* scenario : {"scenarios/voiceflow-basic.json", "scenarios/faults-duplicates.json"}) {
    INFO(scenario);
    TempDir dir;
    Receiver whole;
    const auto one = run_callhook({"run", scenario, "--target", whole.url() + "/hooks", "--speed", "max",
                                   "--report", dir.path("whole.json"), "--progress", "never", "--quiet"});
    INFO(one.out << one.err);
    REQUIRE(one.exit_code == 0);

    Receiver parts;
    std::map<std::string, std::int64_t> totals;
    for (int i = 0; i < 4; ++i) {
      const std::string report = dir.path("shard" + std::to_string(i) + ".json");
      const std::string journal = dir.path("shard" + std::to_string(i) + ".jsonl");
      const auto part = run_callhook({"run", scenario, "--target", parts.url() + "/hooks", "--speed", "max",
                                      "--shard", std::to_string(i) + "/4", "--report", report, "--journal", journal,
                                      "--progress", "never", "--quiet"});
      INFO(part.out << part.err);
      REQUIRE(part.exit_code == 0);
      const json r = read_json(report);
      CHECK(r.at("run").at("shard") == json{{"index", i}, {"count", 4}});
      CHECK(read_jsonl(journal).front().at("shard") == std::to_string(i) + "/4");
      for (const char* key : {"planned", "sent", "delivered", "failed", "dropped"})
        totals[key] += r.at("totals").at(key).get<std::int64_t>();
    }
    const json w = read_json(dir.path("whole.json"));
    for (const auto& [key, sum] : totals) CHECK(sum == w.at("totals").at(key).get<std::int64_t>());
    CHECK(w.at("run").count("shard") == 0);
    const auto expected = sorted_bodies(whole);
    REQUIRE(expected.size() > 40);
    CHECK(sorted_bodies(parts) == expected);
  }
}

TEST_CASE("a Kubernetes job index with --shards picks the shard; bad shards are exit 2", "[integration][shard]") {
  const auto bad = run_callhook({"run", "scenarios/demo.json", "--shard", "4/4"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--shard") != std::string::npos);
  const auto no_index = run_callhook({"run", "scenarios/demo.json", "--shards", "3"});
  CHECK(no_index.exit_code == 2);
  CHECK(no_index.err.find("JOB_COMPLETION_INDEX") != std::string::npos);
  const auto late = run_callhook({"run", "scenarios/demo.json", "--start-at", "soon"});
  CHECK(late.exit_code == 2);
  CHECK(late.err.find("--start-at") != std::string::npos);

  Receiver receiver;
  TempDir dir;
  ::setenv("JOB_COMPLETION_INDEX", "1", 1);
  const auto job = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--speed",
                                 "max", "--shards", "2", "--start-at", "+0.2", "--report", dir.path("r.json"),
                                 "--progress", "never", "--quiet"});
  ::unsetenv("JOB_COMPLETION_INDEX");
  INFO(job.out << job.err);
  REQUIRE(job.exit_code == 0);
  CHECK(read_json(dir.path("r.json")).at("run").at("shard") == json{{"index", 1}, {"count", 2}});
  CHECK(receiver.count() > 0);
}
