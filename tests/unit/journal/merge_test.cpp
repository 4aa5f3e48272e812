// Shard journals joined into one: time order across shards, offsets moved
// onto the earliest start, and one end record with every total summed.
#include <unistd.h>

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <catch2/catch.hpp>

#include "journal/journal.hpp"
#include "journal/merge.hpp"
#include "journal/reader.hpp"

namespace fs = std::filesystem;
using namespace callhook::journal;

namespace {

std::string temp_path(const std::string& name) {
  return (fs::temp_directory_path() / ("callhook-merge-" + std::to_string(::getpid()) + "-" + name)).string();
}

// A shard's journal: one attempt per (send offset, latency), then its end.
void write_shard(const std::string& path, std::uint64_t index, const std::string& started_at,
                 const std::vector<std::pair<std::int64_t, std::int64_t>>& attempts, std::int64_t cancelled) {
  JournalWriter writer(path);
  writer.set_shard(index, 2);
  writer.run_header("s", 1, 0, 0, started_at);
  int n = 0;
  for (const auto& [offset, latency] : attempts) {
    const std::string key = "c" + std::to_string(index) + "." + std::to_string(n++);
    AttemptRecord a;
    a.delivery = key;
    a.call = key;
    a.event = "e";
    a.method = "POST";
    a.url = "http://127.0.0.1:9/";
    a.status = 200;
    a.verdict = "delivered";
    a.wall_offset_us = offset;
    a.wall_latency_us = latency;
    writer.attempt(a);
  }
  const auto sent = static_cast<std::int64_t>(attempts.size());
  writer.end({sent + cancelled, sent, 0, 0, cancelled, cancelled > 0});
  writer.flush();
}

}  // namespace

TEST_CASE("shard journals merge in wall-time order with summed totals") {
  const std::string a = temp_path("a.jsonl"), b = temp_path("b.jsonl"), out = temp_path("out.jsonl");
  // Shard 1 started 1 ms after shard 0, so its offsets move by 1000 us.
  write_shard(a, 0, "2026-11-30T12:00:00.000Z", {{0, 100}, {2000, 100}}, 0);
  write_shard(b, 1, "2026-11-30T12:00:00.001Z", {{0, 50}, {5000, 10}}, 3);
  const MergeSummary summary = merge_journals({b, a}, out);
  CHECK(summary.shards == 2);
  CHECK(summary.ended);

  JournalReader reader(out);
  CHECK(reader.run().shard.empty());
  std::vector<std::int64_t> ends;
  std::optional<EndEntry> end;
  while (auto entry = reader.next()) {
    if (const auto* attempt = std::get_if<AttemptEntry>(&*entry))
      ends.push_back(attempt->wall_offset_us + attempt->wall_latency_us);
    if (const auto* e = std::get_if<EndEntry>(&*entry)) end = *e;
  }
  CHECK(ends == std::vector<std::int64_t>{100, 1050, 2100, 6010});
  REQUIRE(end);
  CHECK(end->planned == 7);
  CHECK(end->delivered == 4);
  CHECK(end->cancelled == 3);
  CHECK(end->interrupted);
  for (const auto& path : {a, b, out}) fs::remove(path);
}

TEST_CASE("merged journals keep probe records, moved onto the earliest start, and sum every end total") {
  const std::string a = temp_path("pa.jsonl"), b = temp_path("pb.jsonl"), out = temp_path("pout.jsonl");
  const auto shard = [](const std::string& path, std::uint64_t index, const std::string& started_at,
                        std::int64_t rejected) {
    JournalWriter writer(path);
    writer.set_shard(index, 2);
    writer.run_header("s", 1, 0, 0, started_at);
    ProbeRecord probe;
    probe.call_id = "call-" + std::to_string(index);
    probe.url = "http://127.0.0.1:9/calls/" + probe.call_id;
    probe.message = "/active: expected false, got true";
    probe.pointer = "/active";
    probe.expected = "false";
    probe.got = "true";
    probe.answer = "{\"active\":true}";
    probe.wall_offset_us = 500;
    probe.wall_latency_us = 20;
    writer.probe(probe);
    EndRecord end;
    end.planned = 2 + rejected;
    end.delivered = 2;
    end.rejected_as_expected = rejected;
    writer.end(end);
    writer.flush();
  };
  shard(a, 0, "2026-11-30T12:00:00.000Z", 1);
  shard(b, 1, "2026-11-30T12:00:00.002Z", 4);
  merge_journals({a, b}, out);

  JournalReader reader(out);
  std::vector<ProbeEntry> probes;
  std::optional<EndEntry> end;
  while (auto entry = reader.next()) {
    if (const auto* p = std::get_if<ProbeEntry>(&*entry)) probes.push_back(*p);
    if (const auto* e = std::get_if<EndEntry>(&*entry)) end = *e;
  }
  REQUIRE(probes.size() == 2);
  CHECK(probes[0].call_id == "call-0");
  CHECK(probes[0].wall_offset_us == 500);
  CHECK(probes[1].call_id == "call-1");
  CHECK(probes[1].wall_offset_us == 2500);
  CHECK(probes[1].answer == "{\"active\":true}");
  CHECK(probes[1].pointer == "/active");
  REQUIRE(end);
  CHECK(end->rejected_as_expected == 5);
  CHECK(end->planned == 9);
  for (const auto& path : {a, b, out}) fs::remove(path);
}
