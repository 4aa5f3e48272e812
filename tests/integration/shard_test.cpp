// Shards: N processes, each playing the calls whose index falls to it, add
// up to the whole run, call for call and byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
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

// Each call's bodies in the order the receiver got them, the call named by
// the journal of the run that sent them.
std::map<std::string, std::vector<std::string>> per_call_order(const Receiver& receiver,
                                                               const std::vector<std::string>& journals) {
  std::map<std::string, std::string> call_of;
  for (const std::string& journal : journals)
    for (const auto& line : read_jsonl(journal))
      if (line.at("kind") == "attempt") call_of[line.at("body").get<std::string>()] = line.at("call");
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : receiver.received()) out[call_of.at(r.body)].push_back(r.body);
  return out;
}

// Bucket low -> count, over every report's latency histogram.
std::map<std::int64_t, std::int64_t> summed_buckets(const std::vector<json>& reports, const char* histogram) {
  std::map<std::int64_t, std::int64_t> out;
  for (const json& r : reports)
    for (const auto& bucket : r.at(histogram).at("exact").at("buckets"))
      out[bucket.at(0).get<std::int64_t>()] += bucket.at(1).get<std::int64_t>();
  return out;
}

}  // namespace

TEST_CASE("whole, --threads 2 and four shards send the same bodies in the same per-call order; merge adds up",
          "[integration][shard][threads]") {
  for (const char* scenario : {"scenarios/voiceflow-basic.json", "scenarios/faults-duplicates.json"}) {
    INFO(scenario);
    TempDir dir;
    const auto run_into = [&](Receiver& receiver, const std::string& name, std::vector<std::string> extra) {
      std::vector<std::string> args = {"run",        scenario,
                                       "--target",   receiver.url() + "/hooks",
                                       "--speed",    "max",
                                       "--report",   dir.path(name + ".json"),
                                       "--journal",  dir.path(name + ".jsonl"),
                                       "--progress", "never",
                                       "--quiet"};
      args.insert(args.end(), extra.begin(), extra.end());
      const auto r = run_callhook(args);
      INFO(r.out << r.err);
      REQUIRE(r.exit_code == 0);
      return read_json(dir.path(name + ".json"));
    };
    Receiver whole_receiver, threads_receiver, shards_receiver;
    const json whole = run_into(whole_receiver, "whole", {"--threads", "1"});
    const json threads = run_into(threads_receiver, "threads", {"--threads", "2"});
    std::vector<json> shards;
    std::vector<std::string> shard_files, shard_journals;
    for (int i = 0; i < 4; ++i) {
      const std::string name = "shard" + std::to_string(i);
      shards.push_back(run_into(shards_receiver, name, {"--shard", std::to_string(i) + "/4", "--threads", "2"}));
      shard_files.push_back(dir.path(name + ".json"));
      shard_journals.push_back(dir.path(name + ".jsonl"));
    }

    // The same bytes, call by call in the same order, and the same totals.
    const auto expected = sorted_bodies(whole_receiver);
    REQUIRE(expected.size() > 40);
    CHECK(sorted_bodies(threads_receiver) == expected);
    CHECK(sorted_bodies(shards_receiver) == expected);
    const auto order = per_call_order(whole_receiver, {dir.path("whole.jsonl")});
    REQUIRE(order.size() >= 10);
    CHECK(per_call_order(threads_receiver, {dir.path("threads.jsonl")}) == order);
    CHECK(per_call_order(shards_receiver, shard_journals) == order);
    CHECK(threads.at("totals") == whole.at("totals"));
    CHECK(read_jsonl(dir.path("threads.jsonl")).back().at("planned") == whole.at("totals").at("planned"));

    // merge: the whole run's counts, every shard's histogram buckets.
    std::vector<std::string> args = {"merge", "--json", dir.path("merged.json"), "--quiet"};
    args.insert(args.end(), shard_files.begin(), shard_files.end());
    const auto merged_run = run_callhook(args);
    INFO(merged_run.out << merged_run.err);
    REQUIRE(merged_run.exit_code == 0);
    const json merged = read_json(dir.path("merged.json"));
    CHECK(merged.at("totals") == whole.at("totals"));
    CHECK(merged.at("faults") == whole.at("faults"));
    for (const auto& [event, counts] : whole.at("events").items()) {
      json merged_counts = merged.at("events").at(event);
      json whole_counts = counts;
      for (json* c : {&merged_counts, &whole_counts}) {
        c->erase("latency_ms");
        c->erase("lateness_ms");
      }
      CHECK(merged_counts == whole_counts);
    }
    std::map<std::int64_t, std::int64_t> buckets;
    for (const auto& bucket : merged.at("latency_ms").at("exact").at("buckets"))
      buckets[bucket.at(0).get<std::int64_t>()] = bucket.at(1).get<std::int64_t>();
    CHECK(buckets == summed_buckets(shards, "latency_ms"));
    CHECK(merged.at("latency_ms").at("count") == whole.at("latency_ms").at("count"));
    // At speed max nothing is late: the lateness histograms are equal bucket for bucket.
    CHECK(merged.at("lateness_ms").at("exact") == whole.at("lateness_ms").at("exact"));
    std::int64_t per_second_sent = 0;
    for (const auto& second : merged.at("throughput").at("per_second"))
      per_second_sent += second.at("sent").get<std::int64_t>();
    CHECK(per_second_sent == whole.at("totals").at("sent").get<std::int64_t>());
  }
}

TEST_CASE("merge of reports that are not the shards of one run is exit 2, naming the culprit", "[integration][shard]") {
  Receiver receiver;
  TempDir dir;
  const auto run_shard = [&](const std::string& shard, const std::string& seed) {
    const std::string path = dir.path("r-" + shard.substr(0, 1) + "-" + seed + ".json");
    const auto r = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--speed", "max",
                                 "--shard", shard, "--seed", seed, "--report", path, "--progress", "never", "--quiet"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return path;
  };
  const std::string r0 = run_shard("0/2", "42"), r1 = run_shard("1/2", "42"), other_seed = run_shard("1/2", "5");
  const auto good = run_callhook({"merge", r0, r1, "--json", "-"});
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(json::parse(good.out).at("run").count("shard") == 0);
  const std::string not_json = dir.path("notes.json");
  std::ofstream(not_json) << "{\n  \"version\": \"0.1.0\",\n  \"run\": []\n}\n";
  struct Bad {
    std::vector<std::string> reports;
    std::string culprit;
  };
  for (const Bad& bad :
       {Bad{{r0}, "shard 1/2 is missing"}, Bad{{r0, r1, r1}, "again (also"},
        Bad{{r0, other_seed}, other_seed + ": scenario \"voiceflow-basic\" seed 5 does not match"},
        Bad{{r0, not_json}, not_json + ": /run: expected"}, Bad{{r0, dir.path("missing.json")}, "missing.json"}}) {
    std::vector<std::string> args = {"merge"};
    args.insert(args.end(), bad.reports.begin(), bad.reports.end());
    const auto r = run_callhook(args);
    INFO(bad.culprit << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad.culprit) != std::string::npos);
  }
}

TEST_CASE("four shards send exactly the whole run's bodies, with the same totals", "[integration][shard]") {
  for (const char* scenario : {"scenarios/voiceflow-basic.json", "scenarios/faults-duplicates.json"}) {
    INFO(scenario);
    TempDir dir;
    Receiver whole;
    const auto one = run_callhook({"run", scenario, "--target", whole.url() + "/hooks", "--speed", "max", "--report",
                                   dir.path("whole.json"), "--progress", "never", "--quiet"});
    INFO(one.out << one.err);
    REQUIRE(one.exit_code == 0);

    Receiver parts;
    std::map<std::string, std::int64_t> totals;
    for (int i = 0; i < 4; ++i) {
      const std::string report = dir.path("shard" + std::to_string(i) + ".json");
      const std::string journal = dir.path("shard" + std::to_string(i) + ".jsonl");
      const auto part = run_callhook({"run", scenario, "--target", parts.url() + "/hooks", "--speed", "max", "--shard",
                                      std::to_string(i) + "/4", "--report", report, "--journal", journal, "--progress",
                                      "never", "--quiet"});
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
  const auto job =
      run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--speed", "max", "--shards",
                    "2", "--start-at", "+0.2", "--report", dir.path("r.json"), "--progress", "never", "--quiet"});
  ::unsetenv("JOB_COMPLETION_INDEX");
  INFO(job.out << job.err);
  REQUIRE(job.exit_code == 0);
  CHECK(read_json(dir.path("r.json")).at("run").at("shard") == json{{"index", 1}, {"count", 2}});
  CHECK(receiver.count() > 0);
}

TEST_CASE("merge --journal joins the shards' journals; shards that do not belong together are exit 2",
          "[integration][shard]") {
  Receiver receiver;
  TempDir dir;
  auto run_shard = [&](const std::string& shard, const std::string& name, const std::string& seed) {
    const auto r = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url(), "--speed", "max",
                                 "--shard", shard, "--seed", seed, "--journal", dir.path(name), "--threads", "1",
                                 "--progress", "never", "--quiet"});
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    return dir.path(name);
  };
  const std::string j0 = run_shard("0/3", "j0.jsonl", "42"), j1 = run_shard("1/3", "j1.jsonl", "42"),
                    j2 = run_shard("2/3", "j2.jsonl", "42");
  const std::size_t received = receiver.count();
  const std::string other_seed = run_shard("2/3", "seed5.jsonl", "5");

  const auto merged = run_callhook({"merge", "--journal", dir.path("whole.jsonl"), j2, j0, j1});
  INFO(merged.out << merged.err);
  REQUIRE(merged.exit_code == 0);
  const auto lines = read_jsonl(dir.path("whole.jsonl"));
  REQUIRE(lines.size() > 2);
  CHECK(lines.front().at("kind") == "run");
  CHECK(lines.front().count("shard") == 0);
  std::size_t attempts = 0;
  std::int64_t previous_end = -1;
  bool in_order = true;
  for (const auto& line : lines) {
    if (line.at("kind") != "attempt") continue;
    ++attempts;
    const std::int64_t end =
        line.at("wall_offset_us").get<std::int64_t>() + line.at("wall_latency_us").get<std::int64_t>();
    in_order = in_order && end >= previous_end;
    previous_end = end;
  }
  CHECK(in_order);
  CHECK(lines.back().at("kind") == "end");
  CHECK(lines.back().at("planned").get<std::size_t>() == attempts);  // voiceflow-basic needs no retries here
  CHECK(attempts == received);

  struct Bad {
    std::vector<std::string> journals;
    std::string culprit;
  };
  for (const Bad& bad :
       {Bad{{j0, j1}, "shard 2/3 is missing"}, Bad{{j0, j1, j2, j1}, "again"},
        Bad{{j0, j1, other_seed}, "seed 5 does not match"}, Bad{{dir.path("whole.jsonl"), j0}, "not a shard"}}) {
    std::vector<std::string> args = {"merge", "--journal", dir.path("bad.jsonl")};
    args.insert(args.end(), bad.journals.begin(), bad.journals.end());
    const auto r = run_callhook(args);
    INFO(bad.culprit << ": " << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(bad.culprit) != std::string::npos);
  }
}
