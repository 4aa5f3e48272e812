#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "journal/journal.hpp"
#include "journal/reader.hpp"
#include "journal/summary_scan.hpp"

using namespace callhook::journal;

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
    f.seq = 7;
    f.result = "failed";
    f.attempts = 3;
    f.reason = "status 503 after 3 attempts";
    writer.final_record(f);
    writer.finding("C", "e", "line\nbreak");
    writer.end(4, 3, 1, 0);
  }
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::remove(path.c_str());
  return lines;
}

void check_same(const RecordSummary& a, const RecordSummary& b) {
  CHECK(a.kind == b.kind);
  CHECK(a.delivery == b.delivery);
  CHECK(a.call == b.call);
  CHECK(a.event == b.event);
  CHECK(a.url == b.url);
  CHECK(a.error == b.error);
  CHECK(a.verdict == b.verdict);
  CHECK(a.result == b.result);
  CHECK(a.reason == b.reason);
  CHECK(a.message == b.message);
  CHECK(a.attempt == b.attempt);
  CHECK(a.stream == b.stream);
  CHECK(a.copy == b.copy);
  CHECK(a.seq == b.seq);
  CHECK(a.status == b.status);
  CHECK(a.attempts == b.attempts);
  CHECK(a.planned_ms == b.planned_ms);
  CHECK(a.due_ms == b.due_ms);
  CHECK(a.wall_offset_us == b.wall_offset_us);
  CHECK(a.wall_latency_us == b.wall_latency_us);
  CHECK(a.will_retry == b.will_retry);
  CHECK(a.faults == b.faults);
  CHECK(a.planned == b.planned);
  CHECK(a.dropped == b.dropped);
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
    RecordSummary fast;
    REQUIRE(scan_summary(lines[i], fast));
    const auto entry = reader.next();
    REQUIRE(entry);
    check_same(fast, summary_of(*entry));
  }
  std::remove(path.c_str());
  RecordSummary attempt;
  REQUIRE(scan_summary(lines[1], attempt));
  CHECK(attempt.call == "CA\"quoted\"\\");
  CHECK(attempt.faults == std::vector<std::string>{"delay:10ms", "duplicate"});
  CHECK(attempt.planned_ms == -5);
  CHECK(attempt.seq == -1);  // attempt records carry no place
  RecordSummary final_summary;
  REQUIRE(scan_summary(lines[2], final_summary));
  CHECK(final_summary.seq == 7);
  // A final record of an older version has no seq: -1, as the strict reader gives.
  std::string old = lines[2];
  old.erase(old.find(",\"seq\":7"), 8);
  REQUIRE(scan_summary(old, final_summary));
  CHECK(final_summary.seq == -1);
}

TEST_CASE("summary scan: anything but the written shape is left to the strict reader") {
  const auto lines = written_lines();
  RecordSummary r;
  CHECK_FALSE(scan_summary(lines[1].substr(0, lines[1].size() - 10), r));                 // cut short
  CHECK_FALSE(scan_summary("{\"kind\":\"finding\",\"call\":\"C\",\"event\":\"e\"}", r));  // a field missing
  CHECK_FALSE(scan_summary("{\"kind\":\"end\",\"planned\":\"4\",\"delivered\":3,\"failed\":1,\"dropped\":0}", r));
  CHECK_FALSE(scan_summary("{\"kind\":\"end\",\"planned\":4.5,\"delivered\":3,\"failed\":1,\"dropped\":0}", r));
  CHECK_FALSE(scan_summary("{\"kind\":\"run\",\"scenario\":\"s\"}", r));
  CHECK_FALSE(scan_summary("{\"kind\":\"finding\",\"call\":\"\\u00ff\",\"event\":\"e\",\"message\":\"m\"}", r));
  CHECK_FALSE(scan_summary(lines[4] + "x", r));
  CHECK(scan_summary(lines[4], r));
}
