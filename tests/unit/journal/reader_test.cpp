// Journals the reader must refuse, with the file and line in the message.
#include <unistd.h>
#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "journal/reader.hpp"

namespace fs = std::filesystem;
using callhook::journal::JournalError;
using callhook::journal::JournalReader;

namespace {

const std::string k_run = R"({"kind":"run","scenario":"s","seed":1,"speed":0,"epoch_ms":0,"wall_started_at":"t"})";
const std::string k_end = R"({"kind":"end","planned":0,"delivered":0,"failed":0,"dropped":0})";
const std::string k_finding = R"({"kind":"finding","call":"c","event":"e","message":"m"})";

// Reads the whole file; returns the error message, or "" when it read cleanly.
std::string read_error(const std::string& text) {
  const fs::path path = fs::temp_directory_path() / ("callhook-reader-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(path, std::ios::binary) << text;
  std::string message;
  try {
    JournalReader reader(path.string());
    while (reader.next()) {
    }
  } catch (const JournalError& e) {
    message = e.what();
    const std::string prefix = path.string();
    if (message.rfind(prefix, 0) == 0) message = "run.jsonl" + message.substr(prefix.size());
  }
  fs::remove(path);
  return message;
}

}  // namespace

TEST_CASE("bad journals are refused with the file, line and field") {
  struct Row {
    std::string text;
    std::string message;
  };
  const std::vector<Row> rows = {
      {k_run + "\n" + k_finding + "\n" + k_end + "\n", ""},
      {k_run + "\r\n\r\n" + k_finding + "\r\n", ""},  // CRLF and blank lines are fine
      {"", "run.jsonl: empty journal (expected a run record first)"},
      {"\n\n", "run.jsonl: empty journal (expected a run record first)"},
      {k_finding + "\n", "run.jsonl:1: expected a run record first, got \"finding\""},
      {"[1,2]\n", "run.jsonl:1: expected a JSON object, got an array"},
      {R"({"kind":"run","scenario":"s"})", "run.jsonl:1: /seed: is required"},
      {k_run + "\n{\"kind\":\n",
       "run.jsonl:2: /kind: invalid JSON at column 9: syntax error while parsing value - unexpected "
       "end of input; expected '[', '{', or a literal"},
      {k_run + "\n" + k_finding + "\n{\"kind\":\"attempts\"}\n",
       "run.jsonl:3: /kind: expected one of \"run\", \"attempt\", \"final\", \"finding\", \"probe\", \"end\", got "
       "\"attempts\" "
       "(did you mean \"attempt\"?)"},
      {k_run + "\n{\"call\":\"c\"}\n", "run.jsonl:2: /kind: is required"},
      {k_run + "\n" + k_run + "\n", "run.jsonl:2: a second run record"},
      {k_run + "\n" + k_end + "\n" + k_finding + "\n", "run.jsonl:3: a record after the end record"},
      {k_run + "\n{\"kind\":\"finding\",\"call\":\"c\",\"event\":7,\"message\":\"m\"}\n",
       "run.jsonl:2: /event: expected a string, got 7"},
      {k_run + "\n{\"kind\":\"end\",\"planned\":-1,\"delivered\":0,\"failed\":0,\"dropped\":0}\n",
       "run.jsonl:2: /planned: expected a non-negative integer, got -1"},
      {k_run + "\n" +
           R"({"kind":"final","delivery":"d","stream":0,"call":"c","event":"e","copy":0,"result":"failed",)"
           R"("attempts":1,"planned_ms":0,"faults":["x",3],"reason":""})" +
           "\n",
       "run.jsonl:2: /faults/1: expected a string, got 3"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.text);
    CHECK(read_error(row.text) == row.message);
  }
}

TEST_CASE("attempt records are checked field by field") {
  const std::string attempt =
      R"({"kind":"attempt","delivery":"d","attempt":1,"stream":0,"call":"c","event":"e","copy":0,"method":"POST",)"
      R"("url":"http://h/","headers":[["A","1"],["B"]],"body":"","planned_ms":0,"due_ms":0,"status":200,"error":"",)"
      R"("verdict":"delivered","will_retry":false,"faults":[],"wall_offset_us":0,"wall_latency_us":0,"response":""})";
  CHECK(read_error(k_run + "\n" + attempt + "\n") == "run.jsonl:2: /headers/1: expected [name, value]");
  std::string zeroth = attempt;
  zeroth.replace(zeroth.find(R"(["B"])"), 5, R"(["B","2"])");
  CHECK(read_error(k_run + "\n" + zeroth + "\n") == "");
  zeroth.replace(zeroth.find(R"("attempt":1)"), 11, R"("attempt":0)");
  CHECK(read_error(k_run + "\n" + zeroth + "\n") == "run.jsonl:2: /attempt: expected a positive integer, got 0");
}

TEST_CASE("a last line cut short by a kill ends the journal instead of failing it") {
  const fs::path path = fs::temp_directory_path() / ("callhook-cut-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(path, std::ios::binary) << k_run << "\n"
                                        << k_finding << "\n"
                                        << k_finding << "\n"
                                        << k_finding.substr(0, 20);
  JournalReader reader(path.string());
  int records = 0;
  while (reader.next()) ++records;
  CHECK(records == 2);
  CHECK(reader.cut());
  CHECK(reader.line() == 4);
  CHECK_FALSE(reader.ended());
  fs::remove(path);
  // The same cut text followed by a newline is a broken line, not a cut one.
  CHECK(read_error(k_run + "\n" + k_finding.substr(0, 20) + "\n").rfind("run.jsonl:2: invalid JSON", 0) == 0);
}

TEST_CASE("the end record's cancelled and interrupted are read, and optional") {
  const fs::path path = fs::temp_directory_path() / ("callhook-end-" + std::to_string(::getpid()) + ".jsonl");
  std::ofstream(path, std::ios::binary)
      << k_run << "\n"
      << R"({"kind":"end","planned":5,"delivered":2,"failed":0,"dropped":0,"cancelled":3,"interrupted":true})"
      << "\n";
  JournalReader reader(path.string());
  const auto entry = reader.next();
  REQUIRE(entry);
  const auto& end = std::get<callhook::journal::EndEntry>(*entry);
  CHECK(end.cancelled == 3);
  CHECK(end.interrupted);
  CHECK_FALSE(reader.cut());
  fs::remove(path);
  CHECK(read_error(k_run + "\n" + k_end + "\n").empty());
}
