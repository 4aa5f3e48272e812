#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "journal/journal.hpp"
#include "journal/reader.hpp"
#include "journal/summary_scan.hpp"
#include "record_fixtures.hpp"

using namespace callhook::journal;
using callhook::journal::testing::without_bulky;

namespace {

// The lines JournalWriter writes for a few records, escapes included.
std::vector<std::string> written_lines() {
  const std::string path = "summary_scan_test.jsonl";
  {
    JournalWriter writer(path);
    writer.run_header("s", 1, 0, 0, "2026-01-01T00:00:00.000Z");
    AttemptRecord a;
    a.delivery = "0.1.2";
    a.attempt = 2;
    a.stream = 3;
    a.call = "CA\"quoted\"\\";
    a.event = "runtime.call.end";
    a.copy = 1;
    a.method = "POST";
    a.url = "http://127.0.0.1:9/hooks?a=[1]";
    a.headers = {{"X-A", "va}l"}, {"X-B", "\xff"}};
    a.body = "{\"nested\":[1,{\"x\":\"]\"}]}\n";
    a.planned_ms = -5;
    a.due_ms = 1752666057000;
    a.status = 503;
    a.error = "";
    a.verdict = "failed";
    a.will_retry = true;
    a.faults = {"delay:10ms", "duplicate"};
    a.wall_offset_us = 123;
    a.wall_latency_us = 456;
    a.response = "tab\there";
    writer.attempt(a);
    FinalRecord f;
    f.delivery = "0.1.2";
    f.call = "C";
    f.event = "e";
    f.result = "failed";
    f.attempts = 3;
    f.reason = "status 503 after 3 attempts";
    writer.final_record(f);
    writer.finding("C", "e", "line\nbreak");
    writer.end({4, 3, 1, 0});
  }
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::remove(path.c_str());
  return lines;
}

}  // namespace

TEST_CASE("summary scan: the same fields as the strict reader, for every kind of record") {
  const auto lines = written_lines();
  REQUIRE(lines.size() == 5);
  const std::string path = "summary_scan_strict.jsonl";
  {
    std::ofstream out(path);
    for (const auto& line : lines) out << line << '\n';
  }
  JournalReader reader(path);
  for (std::size_t i = 1; i < lines.size(); ++i) {
    INFO(lines[i]);
    const std::optional<Entry> fast = scan_summary(lines[i]);
    REQUIRE(fast);
    const auto entry = reader.next();
    REQUIRE(entry);
    CHECK(*fast == without_bulky(*entry));
  }
  std::remove(path.c_str());
  const std::optional<Entry> scanned = scan_summary(lines[1]);
  REQUIRE(scanned);
  const auto& attempt = std::get<AttemptEntry>(*scanned);
  CHECK(attempt.call == "CA\"quoted\"\\");
  CHECK(attempt.faults == std::vector<std::string>{"delay:10ms", "duplicate"});
  CHECK(attempt.planned_ms == -5);
}

TEST_CASE("summary scan: anything but the written shape is left to the strict reader") {
  const auto lines = written_lines();
  CHECK_FALSE(scan_summary(lines[1].substr(0, lines[1].size() - 10)).has_value());                 // cut short
  CHECK_FALSE(scan_summary("{\"kind\":\"finding\",\"call\":\"C\",\"event\":\"e\"}").has_value());  // a field missing
  CHECK_FALSE(
      scan_summary("{\"kind\":\"end\",\"planned\":\"4\",\"delivered\":3,\"failed\":1,\"dropped\":0}").has_value());
  CHECK_FALSE(
      scan_summary("{\"kind\":\"end\",\"planned\":4.5,\"delivered\":3,\"failed\":1,\"dropped\":0}").has_value());
  CHECK_FALSE(scan_summary("{\"kind\":\"run\",\"scenario\":\"s\"}").has_value());
  CHECK_FALSE(
      scan_summary("{\"kind\":\"finding\",\"call\":\"\\u00ff\",\"event\":\"e\",\"message\":\"m\"}").has_value());
  CHECK_FALSE(scan_summary(lines[4] + "x").has_value());
  CHECK(scan_summary(lines[4]).has_value());
}
