// Journal round trips: what the writer writes, the reader gives back.
#include <unistd.h>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "journal/journal.hpp"
#include "journal/reader.hpp"

namespace fs = std::filesystem;
using namespace callhook::journal;

namespace {

// A fresh file path in the temporary directory, removed afterwards.
class TempFile {
 public:
  explicit TempFile(const std::string& name)
      : m_path(fs::temp_directory_path() / ("callhook-journal-" + std::to_string(::getpid()) + "-" + name)) {}
  ~TempFile() {
    std::error_code ec;
    fs::remove(m_path, ec);
  }
  std::string path() const { return m_path.string(); }
  std::string text() const {
    std::ifstream in(m_path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void write(const std::string& text) const { std::ofstream(m_path, std::ios::binary) << text; }

 private:
  fs::path m_path;
};

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

// Strings that stress the escaper.
const std::vector<std::string> k_awkward = {
    "",
    "plain",
    "quote \" and backslash \\ and slash /",
    std::string("control \x01\x02\x1f, newline \n, tab \t, cr \r, nul \0 end", 46),
    "UTF-8: caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x93\x9e",
    "{\"json\":\"inside\",\"n\":[1,2]}",
};

AttemptRecord sample_attempt(std::string_view text) {  // views into `text`: it must outlive the record
  AttemptRecord r;
  r.delivery = "0.12.3";
  r.attempt = 2;
  r.stream = 1;
  r.call = text;
  r.event = "runtime.call.start";
  r.copy = 1;
  r.method = "POST";
  r.url = "http://127.0.0.1:8080/hooks?x=1&y=\"2\"";
  r.headers = {{"Content-Type", "application/json"}, {"X-Odd", std::string(text)}};
  r.body = text;
  r.planned_ms = 1752666057000;
  r.due_ms = 1752666058250;
  r.status = 503;
  r.error = "";
  r.verdict = "failed";
  r.will_retry = true;
  r.faults = {"delay", std::string(text)};
  r.wall_offset_us = 123456;
  r.wall_latency_us = 789;
  r.response = text;
  return r;
}

void check_same(const AttemptEntry& e, const AttemptRecord& r) { CHECK(e.record() == r); }

}  // namespace

TEST_CASE("every record kind survives a round trip, awkward strings included") {
  for (std::size_t i = 0; i < k_awkward.size(); ++i) {
    const std::string& text = k_awkward[i];
    CAPTURE(i);
    TempFile file("round-trip");
    const AttemptRecord attempt = sample_attempt(text);
    FinalRecord final_rec;
    final_rec.delivery = "0.12.3";
    final_rec.stream = 1;
    final_rec.call = text;
    final_rec.event = text;
    final_rec.copy = 1;
    final_rec.result = "failed";
    final_rec.attempts = 3;
    final_rec.planned_ms = -5;
    final_rec.faults = {"duplicate", text};
    final_rec.reason = text;
    {
      JournalWriter writer(file.path());
      writer.run_header(text, 18446744073709551615ULL, 600, 1752666057000, "2025-07-16T11:40:57.000Z");
      writer.attempt(attempt);
      writer.final_record(final_rec);
      writer.finding(text, "session_start", text);
      writer.end({10, 7, 2, 1});
      writer.flush();
    }
    JournalReader reader(file.path());
    CHECK(reader.run().scenario == text);
    CHECK(reader.run().seed == 18446744073709551615ULL);
    CHECK(reader.run().speed == 600);
    CHECK(reader.run().epoch_ms == 1752666057000);
    CHECK(reader.run().wall_started_at == "2025-07-16T11:40:57.000Z");

    auto entry = reader.next();
    REQUIRE(entry);
    REQUIRE(std::holds_alternative<AttemptEntry>(*entry));
    check_same(std::get<AttemptEntry>(*entry), attempt);

    entry = reader.next();
    REQUIRE(entry);
    REQUIRE(std::holds_alternative<FinalEntry>(*entry));
    const auto& f = std::get<FinalEntry>(*entry);
    CHECK(f.delivery == final_rec.delivery);
    CHECK(f.stream == 1);
    CHECK(f.call == text);
    CHECK(f.event == text);
    CHECK(f.copy == 1);
    CHECK(f.result == "failed");
    CHECK(f.attempts == 3);
    CHECK(f.planned_ms == -5);
    CHECK(f.faults == final_rec.faults);
    CHECK(f.reason == text);

    entry = reader.next();
    REQUIRE(entry);
    REQUIRE(std::holds_alternative<FindingEntry>(*entry));
    CHECK(std::get<FindingEntry>(*entry).call == text);
    CHECK(std::get<FindingEntry>(*entry).event == "session_start");
    CHECK(std::get<FindingEntry>(*entry).message == text);

    CHECK_FALSE(reader.ended());
    entry = reader.next();
    REQUIRE(entry);
    REQUIRE(std::holds_alternative<EndEntry>(*entry));
    const auto& end = std::get<EndEntry>(*entry);
    CHECK(end.planned == 10);
    CHECK(end.delivered == 7);
    CHECK(end.failed == 2);
    CHECK(end.dropped == 1);
    CHECK(reader.ended());
    CHECK_FALSE(reader.next());
  }
}

TEST_CASE("records keep their keys in the documented order") {
  TempFile file("order");
  {
    JournalWriter writer(file.path());
    writer.run_header("s", 7, 0, 1000, "2025-07-16T11:40:57.000Z");
    writer.attempt(sample_attempt("x"));
    FinalRecord f;
    f.delivery = "d";
    f.result = "dropped";
    f.faults = {"drop"};
    f.reason = "dropped by a fault";
    writer.final_record(f);
    writer.finding("c", "e", "m");
    writer.end({1, 0, 0, 1});
  }
  const auto lines = lines_of(file.text());
  REQUIRE(lines.size() == 5);
  const std::vector<std::vector<std::string>> keys = {
      {"kind", "scenario", "seed", "speed", "epoch_ms", "wall_started_at"},
      {"kind",   "delivery", "attempt",    "stream", "call",           "event",           "copy",
       "method", "url",      "headers",    "body",   "planned_ms",     "due_ms",          "status",
       "error",  "verdict",  "will_retry", "faults", "wall_offset_us", "wall_latency_us", "response"},
      {"kind", "delivery", "stream", "call", "event", "copy", "result", "attempts", "planned_ms", "faults", "reason"},
      {"kind", "call", "event", "message"},
      {"kind", "planned", "delivered", "failed", "dropped", "cancelled", "interrupted", "rejected_as_expected"},
  };
  for (std::size_t i = 0; i < lines.size(); ++i) {
    CAPTURE(lines[i]);
    const auto doc = nlohmann::ordered_json::parse(lines[i]);
    std::vector<std::string> got;
    for (auto it = doc.begin(); it != doc.end(); ++it) got.push_back(it.key());
    CHECK(got == keys[i]);
  }
  CHECK(lines[0] == R"({"kind":"run","scenario":"s","seed":7,"speed":0,"epoch_ms":1000,)"
                    R"("wall_started_at":"2025-07-16T11:40:57.000Z"})");
  CHECK(lines[2] == R"({"kind":"final","delivery":"d","stream":0,"call":"","event":"","copy":0,"result":"dropped",)"
                    R"("attempts":0,"planned_ms":0,"faults":["drop"],"reason":"dropped by a fault"})");
  CHECK(
      lines[4] ==
      R"({"kind":"end","planned":1,"delivered":0,"failed":0,"dropped":1,"cancelled":0,"interrupted":false,"rejected_as_expected":0})");
}

TEST_CASE("control characters and invalid UTF-8 still make valid JSON") {
  struct Row {
    std::string written;
    std::string read_back;
  };
  const std::vector<Row> rows = {
      {"\x7f", "\x7f"},
      {"a\xff"
       "b",
       "a\xc3\xbf"
       "b"},                                         // a lone byte reads back as U+00FF
      {"\xc3", "\xc3\x83"},                          // a sequence cut short
      {"\xc0\xaf", "\xc3\x80\xc2\xaf"},              // an overlong encoding
      {"\xed\xa0\x80", "\xc3\xad\xc2\xa0\xc2\x80"},  // a UTF-16 surrogate
      {std::string("\0", 1), std::string("\0", 1)},
  };
  for (const auto& row : rows) {
    CAPTURE(row.written);
    TempFile file("utf8");
    {
      JournalWriter writer(file.path());
      writer.run_header("s", 1, 1, 0, "t");
      writer.finding(row.written, "e", "m");
    }
    const auto lines = lines_of(file.text());
    REQUIRE(lines.size() == 2);
    CHECK_NOTHROW(nlohmann::json::parse(lines[1]));
    CHECK(std::none_of(lines[1].begin(), lines[1].end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    JournalReader reader(file.path());
    const auto entry = reader.next();
    REQUIRE(entry);
    CHECK(std::get<FindingEntry>(*entry).call == row.read_back);
  }
}

TEST_CASE("large bodies round trip and responses are cut to an excerpt") {
  TempFile file("large");
  std::string body(3 << 20, 'x');
  for (std::size_t i = 0; i < body.size(); i += 997) body[i] = '"';
  AttemptRecord big = sample_attempt("b");
  big.body = body;
  big.response = std::string(600, 'r');
  AttemptRecord utf8 = sample_attempt("u");
  utf8.response = std::string(511, 'a') + "\xc3\xa9" + "tail";  // the cut falls inside "é"
  AttemptRecord small = sample_attempt("s");
  small.response = "short";
  {
    JournalWriter writer(file.path());
    writer.run_header("s", 1, 1, 0, "t");
    writer.attempt(big);
    writer.attempt(utf8);
    writer.attempt(small);
  }
  JournalReader reader(file.path());
  auto first = std::get<AttemptEntry>(*reader.next());
  CHECK(first.body == body);
  CHECK(first.response == std::string(k_response_excerpt_bytes, 'r'));
  CHECK(std::get<AttemptEntry>(*reader.next()).response == std::string(511, 'a'));
  CHECK(std::get<AttemptEntry>(*reader.next()).response == "short");
  CHECK_FALSE(reader.next());
  CHECK_FALSE(reader.ended());
}

TEST_CASE("100k attempts are written in order, each on its own line") {
  TempFile file("many");
  constexpr int k_count = 100000;
  const std::string body =
      R"({"type":"runtime.call.start","resource":"project-6772da2e485189279fa5b9da","time":1752666057000})";
  {
    JournalWriter writer(file.path());
    writer.run_header("load", 1, 0, 0, "t");
    AttemptRecord r = sample_attempt("call");
    r.body = body;
    std::string key;
    for (int i = 0; i < k_count; ++i) {
      key = "0." + std::to_string(i) + ".0";
      r.delivery = key;
      r.wall_offset_us = i;
      writer.attempt(r);
    }
    writer.end({k_count, k_count, 0, 0});
  }
  // Reading every line back through JSON takes long in a debug build: check
  // each line's start by text and parse a sample.
  std::ifstream in(file.path(), std::ios::binary);
  std::string line;
  std::getline(in, line);
  int count = 0;
  int wrong = 0;
  while (std::getline(in, line) && line.rfind(R"({"kind":"attempt")", 0) == 0) {
    if (line.rfind(R"({"kind":"attempt","delivery":"0.)" + std::to_string(count) + R"(.0",)", 0) != 0) ++wrong;
    if (count % 5000 == 0) {
      const auto doc = nlohmann::json::parse(line);
      if (doc["wall_offset_us"] != count || doc["body"] != body) ++wrong;
    }
    ++count;
  }
  CHECK(count == k_count);
  CHECK(wrong == 0);
  CHECK(
      line ==
      R"({"kind":"end","planned":100000,"delivered":100000,"failed":0,"dropped":0,"cancelled":0,"interrupted":false,"rejected_as_expected":0})");
  CHECK_FALSE(std::getline(in, line));
}

TEST_CASE("flush puts every record on disk while the writer is open") {
  TempFile file("flush");
  JournalWriter writer(file.path());
  writer.run_header("s", 1, 1, 0, "t");
  writer.finding("c", "e", "m");
  CHECK(file.text().empty());  // still in the buffer
  writer.flush();
  CHECK(lines_of(file.text()).size() == 2);
}

TEST_CASE("entries write back as the same lines") {
  TempFile first("rewrite-a");
  TempFile second("rewrite-b");
  {
    JournalWriter writer(first.path());
    writer.run_header("s", 3, 2.5, 10, "t");
    writer.attempt(sample_attempt("a\"b"));
    FinalRecord f;
    f.delivery = "k";
    f.result = "delivered";
    f.faults = {"delay"};
    writer.final_record(f);
  }
  {
    JournalReader reader(first.path());
    JournalWriter writer(second.path());
    const RunEntry& run = reader.run();
    writer.run_header(run.scenario, run.seed, run.speed, run.epoch_ms, run.wall_started_at);
    while (auto entry = reader.next()) {
      if (const auto* a = std::get_if<AttemptEntry>(&*entry)) writer.attempt(a->record());
      if (const auto* f = std::get_if<FinalEntry>(&*entry)) writer.final_record(f->record());
    }
  }
  CHECK(first.text() == second.text());
  CHECK(lines_of(first.text()).size() == 3);
}

TEST_CASE("a journal that cannot be opened is named in the error") {
  const std::string path = "/nonexistent-callhook-dir/run.jsonl";
  CHECK_THROWS_WITH(JournalWriter(path),
                    "/nonexistent-callhook-dir/run.jsonl: cannot open for writing: No such file or directory");
  CHECK_THROWS_WITH(JournalReader(path), "/nonexistent-callhook-dir/run.jsonl: cannot open: No such file or directory");
  const std::string dir = fs::temp_directory_path().string();
  CHECK_THROWS_WITH(JournalWriter(dir), Catch::StartsWith(dir + ": cannot open for writing: "));
  CHECK_THROWS_WITH(JournalReader(dir), dir + ": is a directory, not a journal");
}

TEST_CASE("a try the transport sent again is marked resent, other attempts carry no such key") {
  TempFile file("resent");
  const std::string text = "x";
  AttemptRecord lost = sample_attempt(text);
  lost.error = "closed";
  lost.resent = true;
  const AttemptRecord after = sample_attempt(text);
  {
    JournalWriter writer(file.path());
    writer.run_header("s", 1, 1, 0, "2025-07-16T11:40:57.000Z");
    writer.attempt(lost);
    writer.attempt(after);
    writer.end({1, 1, 0, 0});
    writer.flush();
  }
  const auto lines = lines_of(file.text());
  REQUIRE(lines.size() == 4);
  CHECK(lines[1].find(R"("will_retry":true,"resent":true,"faults":)") != std::string::npos);
  CHECK(lines[2].find("resent") == std::string::npos);
  JournalReader reader(file.path());
  const auto first = reader.next();
  const auto second = reader.next();
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(std::holds_alternative<AttemptEntry>(*first));
  REQUIRE(std::holds_alternative<AttemptEntry>(*second));
  check_same(std::get<AttemptEntry>(*first), lost);
  check_same(std::get<AttemptEntry>(*second), after);
}
