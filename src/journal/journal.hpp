#pragma once
// The journal: a JSONL record of a run, one line per attempt and one final
// line per planned delivery, enough to replay the run exactly and to rebuild
// its report. Written on the hot path, so records are formatted by hand into
// a large buffer and written in big blocks.
//
// Lines, keys in this order ("wall_" keys hold wall-clock values that differ
// between identical runs; everything else is a function of the scenario):
//   {"kind":"run","scenario","seed","speed","epoch_ms","wall_started_at"[,"shard"]
//    [,"ordering"][,"expect":{name:limit,...}]}       first (ordering and expect: for reports rebuilt from it)
//   {"kind":"attempt","delivery","attempt","stream","call","event","copy","method",
//    "url","headers":[[name,value],...],"body","planned_ms","due_ms","status","error",
//    "verdict","will_retry"[,"resent":true][,"retry_after_clamped_ms"],"faults":[...],"wall_offset_us",
//    "wall_latency_us","response"}    (resent: a try lost on a stale keep-alive connection;
//                                      retry_after_clamped_ms: only when a Retry-After was clamped)
//   {"kind":"final","delivery","stream","call","event","copy","result","attempts",
//    "planned_ms","faults","reason"}
//   {"kind":"finding","call","event","message"}
//   {"kind":"probe","call_id","url","method","status","error","passed","message","pointer","expected",
//    "got","polls","wall_offset_us","wall_latency_us","answer"}      (a state probe after its call)
//   {"kind":"end","planned","delivered","failed","dropped","cancelled","interrupted",
//    "rejected_as_expected"}  last
// The keys of each record are its field table's (journal/records.hpp).
// "resent" appears only on a try lost on a stale keep-alive connection that
// the transport sent again (the same attempt number as the try after it;
// it does not count against the retry budget).
// Lines are written whole (the file is unbuffered and written only at line
// ends), so a run killed outright leaves whole lines and no end record.
// Strings are written byte for byte, except bytes that are not valid UTF-8:
// JSON cannot hold them, so each is written as \u00XX and reads back as
// the character U+00XX (vendor bodies are valid UTF-8; answers may not be).
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "journal/records.hpp"

namespace callhook::journal {

// Writes a journal file. The engines of one run (run --threads) share it:
// each record is written whole under a lock, so lines never interleave.
class JournalWriter {
 public:
  // Opens (truncates) `path`; "-" writes to standard output. Throws
  // std::runtime_error naming the path when it cannot be opened.
  explicit JournalWriter(const std::string& path);
  // Flushes what is left; write errors here are lost (call flush() first).
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // The first line; wall_started_at is now, as ISO 8601 UTC.
  // A sharded run's header names its shard ("shard":"I/N"); call before run_header.
  void set_shard(std::uint64_t index, std::uint64_t count);
  // The run's ordering ("timeline", ...) and its "expect" limits, so a
  // report rebuilt from the journal shows and judges them; call before run_header.
  void set_run_facts(std::string ordering, std::vector<std::pair<std::string, double>> expect);
  void run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms);
  // The first line, with the start time given (replays, tests).
  void run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms,
                  std::string_view wall_started_at);
  void attempt(const AttemptRecord& record);
  void final_record(const FinalRecord& record);
  // Something the receiver did that the real vendor would reject.
  void finding(std::string_view call, std::string_view event, std::string_view message);
  // A state probe of a call, judged.
  void probe(const ProbeRecord& record);
  // The last line: the accounting totals, and whether the run was interrupted.
  void end(const EndRecord& record);
  // Writes the buffer to the file and flushes it. Throws std::runtime_error
  // naming the path when the write fails.
  void flush();

  const std::string& path() const { return m_path; }

 private:
  // One record whole, through its field table.
  template <class Record>
  void write(const Record& record);
  void line_done();
  void write_buffer();

  std::string m_path;
  std::FILE* m_file = nullptr;
  bool m_owns_file = true;
  std::string m_buffer;
  std::string m_shard;  // "I/N" of a sharded run, "" for a whole one
  std::string m_ordering;
  std::vector<std::pair<std::string, double>> m_expect;
  std::mutex m_mutex;
};

}  // namespace callhook::journal
