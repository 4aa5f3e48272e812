#pragma once
// Reading a journal back, one line at a time (journals of long runs do not
// fit in memory), for `callhook replay`, report merging and tests.
#include <cstdint>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "journal/journal.hpp"
#include "util/header.hpp"
#include "util/json_cursor.hpp"

namespace callhook::journal {

// A journal that cannot be read: "run.jsonl:12: /status: expected an integer, got \"x\"".
struct JournalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct RunEntry {
  std::string scenario;
  std::uint64_t seed = 0;
  double speed = 0;  // 0 = as fast as order allows
  std::int64_t epoch_ms = 0;
  std::string wall_started_at;
  std::string shard;                                   // "I/N" for a shard of a larger run, "" otherwise
  std::string ordering;                                // "" in journals that do not say
  std::vector<std::pair<std::string, double>> expect;  // the scenario's limits, by name
};

// Every record after the run header (the record types are in journal/records.hpp).
using Entry = std::variant<AttemptEntry, FinalEntry, FindingEntry, EndEntry, ProbeEntry>;

class JournalReader {
 public:
  // Opens the file and reads its run record. Throws JournalError naming the
  // path when the file cannot be read or does not start with a run record.
  explicit JournalReader(const std::string& path);

  const RunEntry& run() const { return m_run; }
  // The next record, nullopt at the end of the file. Throws JournalError
  // naming the path and line when a line is not a valid record.
  std::optional<Entry> next();
  // Whether the end record has been read (a run that was cut short has none).
  bool ended() const { return m_ended; }
  // The line number of the record read last.
  std::size_t line() const { return m_line; }
  // Whether the file ended in a line cut short (a run killed mid-write):
  // next() then returns nullopt instead of failing; the line is m_line.
  bool cut() const { return m_cut; }
  // The next record without its bulky fields (headers, body, response,
  // probe answer: left empty), several times faster than next() on large
  // journals (used to rebuild reports). Lines of unexpected shape are read
  // by next()'s strict parser, so bad input gives the same JournalError.
  std::optional<Entry> next_summary();
  // The byte offset in the file where the record read last starts.
  std::uint64_t offset() const { return m_line_start; }
  // True when nothing but blank space follows the record read last (a run
  // cut short may end in a partial line).
  bool at_end();
  // The record starting at `offset` (an offset() seen before), read again;
  // for revisiting a few records without keeping them all. Moves the
  // reading position: next() continues after that record.
  Entry read_at(std::uint64_t offset);

 private:
  // The record in a line read after the run record.
  Entry parse_entry(const std::string& text);
  // Whether `text`, the line just read, is a last line cut short; sets cut().
  bool cut_here(const std::string& text);
  // The next non-empty line, false at the end of the file.
  bool read_line(std::string& text);
  // The line as a JSON object, or a JournalError.
  util::Json parse_line(const std::string& text) const;
  // The record's "kind", or a JournalError.
  std::string kind_of(const util::Json& doc, util::Problems& problems) const;
  // Throws the first problem, with its pointer, when there is one.
  void check(const util::Problems& problems) const;
  [[noreturn]] void fail(const std::string& message) const;

  std::string m_path;
  std::vector<char> m_buffer;  // the stream's, large: journals are read end to end
  std::ifstream m_in;
  std::size_t m_line = 0;
  std::uint64_t m_position = 0;    // bytes consumed so far
  std::uint64_t m_line_start = 0;  // where the last line read starts
  bool m_ended = false;
  bool m_cut = false;
  bool m_last_line_whole = true;  // the line read last ended with a newline
  RunEntry m_run;
};

}  // namespace callhook::journal
