// Every field of every record, each set to a distinct non-default value,
// survives writer -> strict reader and writer -> summary scanner: a field
// left out of a record's table (or written under one key and read under
// another) comes back as its default and the comparison fails.
#include <unistd.h>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "journal/journal.hpp"
#include "journal/reader.hpp"
#include "journal/summary_scan.hpp"
#include "record_fixtures.hpp"

using namespace callhook::journal;
using callhook::journal::testing::full_probe;
using callhook::journal::testing::without_bulky;

namespace {

AttemptEntry full_attempt() {
  AttemptEntry a;
  a.delivery = "d1";
  a.attempt = 2;
  a.stream = 3;
  a.call = "c4";
  a.event = "e5";
  a.copy = 6;
  a.method = "PUT";
  a.url = "http://u8/";
  a.headers = {{"h9", "v9"}, {"h10", "v10"}};
  a.body = "b11";
  a.planned_ms = 12;
  a.due_ms = 13;
  a.status = 414;
  a.error = "timeout";
  a.verdict = "rejected";
  a.will_retry = true;
  a.resent = true;
  a.retry_after_clamped_ms = 17;
  a.faults = {"f18", "f19"};
  a.wall_offset_us = 20;
  a.wall_latency_us = 21;
  a.response = "r22";
  return a;
}

FinalEntry full_final() {
  FinalEntry f;
  f.delivery = "d31";
  f.stream = 32;
  f.call = "c33";
  f.event = "e34";
  f.copy = 35;
  f.seq = 135;
  f.result = "rejected";
  f.attempts = 37;
  f.planned_ms = 38;
  f.faults = {"f39"};
  f.reason = "r40";
  return f;
}

FindingEntry full_finding() { return {"c51", "e52", "m53"}; }

EndEntry full_end() {
  EndEntry e;
  e.planned = 81;
  e.delivered = 82;
  e.failed = 83;
  e.dropped = 84;
  e.cancelled = 85;
  e.interrupted = true;
  e.rejected_as_expected = 87;
  return e;
}

std::string temp_path(const char* name) {
  return (std::filesystem::temp_directory_path() /
          ("callhook-records-" + std::to_string(::getpid()) + "-" + name + ".jsonl"))
      .string();
}

// Writes one record of each kind and returns the expected entries in order.
std::vector<Entry> write_all(const std::string& path) {
  const AttemptEntry attempt = full_attempt();
  const FinalEntry final_entry = full_final();
  const FindingEntry finding = full_finding();
  const ProbeEntry probe = full_probe();
  const EndEntry end = full_end();
  JournalWriter writer(path);
  writer.run_header("records", 1, 0, 0, "2026-01-01T00:00:00.000Z");
  writer.attempt(attempt.record());
  writer.final_record(final_entry.record());
  writer.finding(finding.call, finding.event, finding.message);
  writer.probe(probe);
  writer.end(end);
  writer.flush();
  return {attempt, final_entry, finding, probe, end};
}

}  // namespace

TEST_CASE("records: every field set survives the writer and the strict reader") {
  const std::string path = temp_path("strict");
  const std::vector<Entry> expected = write_all(path);
  JournalReader reader(path);
  for (const Entry& want : expected) {
    const auto got = reader.next();
    REQUIRE(got);
    CHECK(*got == want);
  }
  CHECK_FALSE(reader.next());
  CHECK(reader.ended());
  std::remove(path.c_str());
}

TEST_CASE("records: every field but the bulky ones survives the summary scanner") {
  const std::string path = temp_path("scan");
  const std::vector<Entry> expected = write_all(path);
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);  // the run header
  for (const Entry& want : expected) {
    REQUIRE(std::getline(in, line));
    INFO(line);
    const std::optional<Entry> got = scan_summary(line);
    REQUIRE(got);  // the fast path, not the strict reader's fallback
    CHECK(*got == without_bulky(want));
  }
  JournalReader reader(path);
  for (const Entry& want : expected) {
    const auto got = reader.next_summary();
    REQUIRE(got);
    CHECK(*got == without_bulky(want));
  }
  std::remove(path.c_str());
}

TEST_CASE("records: keys a table marks as optional are left out at their defaults and read back so") {
  AttemptEntry plain = full_attempt();
  plain.resent = false;
  plain.retry_after_clamped_ms = -1;
  const std::string path = temp_path("optional");
  {
    JournalWriter writer(path);
    writer.run_header("records", 1, 0, 0, "2026-01-01T00:00:00.000Z");
    writer.attempt(plain.record());
    writer.flush();
  }
  std::ifstream in(path);
  std::string header, line;
  std::getline(in, header);
  std::getline(in, line);
  CHECK(line.find("\"resent\"") == std::string::npos);
  CHECK(line.find("\"retry_after_clamped_ms\"") == std::string::npos);
  JournalReader reader(path);
  const auto got = reader.next();
  REQUIRE(got);
  CHECK(std::get<AttemptEntry>(*got) == plain);
  std::remove(path.c_str());
}

TEST_CASE("records: a probe answer is cut at 64 KiB, on a character boundary") {
  ProbeEntry probe = full_probe();
  probe.answer = std::string(k_probe_answer_bytes - 1, 'a') + "\xc3\xa9" + "tail";
  const std::string path = temp_path("answer");
  {
    JournalWriter writer(path);
    writer.run_header("records", 1, 0, 0, "2026-01-01T00:00:00.000Z");
    writer.probe(probe);
    writer.flush();
  }
  JournalReader reader(path);
  const auto got = reader.next();
  REQUIRE(got);
  CHECK(std::get<ProbeEntry>(*got).answer == std::string(k_probe_answer_bytes - 1, 'a'));
  std::remove(path.c_str());
}
