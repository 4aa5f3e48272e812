#pragma once
// The journal: a JSONL record of a run, one line per attempt and one final
// line per planned delivery, enough to replay the run exactly and to rebuild
// its report. Written on the hot path, so records are formatted by hand into
// a large buffer and written in big blocks.
//
// Lines, keys in this order ("wall_" keys hold wall-clock values that differ
// between identical runs; everything else is a function of the scenario):
//   {"kind":"run","scenario","seed","speed","epoch_ms","wall_started_at"}       first
//   {"kind":"attempt","delivery","attempt","stream","call","event","copy","method",
//    "url","headers":[[name,value],...],"body","planned_ms","due_ms","status","error",
//    "verdict","will_retry"[,"resent":true][,"retry_after_clamped_ms"],"faults":[...],"wall_offset_us",
//    "wall_latency_us","response"}    (resent: a try lost on a stale keep-alive connection;
//                                      retry_after_clamped_ms: only when a Retry-After was clamped)
//   {"kind":"final","delivery","stream","call","event","copy","seq","result","attempts",
//    "planned_ms","faults","reason"}  (seq: the delivery's place in its call's lifecycle,
//                                      vendors/lifecycle.hpp; absent in older journals)
//   {"kind":"finding","call","event","message"}
//   {"kind":"end","planned","delivered","failed","dropped","cancelled","interrupted"}  last
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
#include <vector>

#include "util/header.hpp"

namespace callhook::journal {

// Responses are kept as an excerpt of at most this many bytes (cut at a
// UTF-8 character boundary).
constexpr std::size_t k_response_excerpt_bytes = 512;

// One HTTP try of a planned delivery. The views must outlive the call to
// JournalWriter::attempt; the owned members are usually moved in.
struct AttemptRecord {
  std::string_view delivery;  // the planned delivery's key, stable across reruns
  int attempt = 1;            // 1-based
  std::size_t stream = 0;
  std::string_view call;
  std::string_view event;
  int copy = 0;  // 0 = original, n = n-th duplicate
  std::string_view method;
  std::string_view url;
  util::Headers headers;  // as written, in order: Host, Connection, Content-Length and signatures included
  std::string_view body;
  std::int64_t planned_ms = 0;  // virtual, before faults moved it
  std::int64_t due_ms = 0;      // virtual, this attempt
  int status = 0;               // 0 when no answer
  std::string_view error;       // "" or the transport error kind ("timeout", "connect", ...)
  std::string_view verdict;     // "delivered", "too_slow" or "failed"
  bool will_retry = false;
  bool resent = false;  // a try lost on a stale keep-alive connection, sent again by the transport
  // The Retry-After the answer asked for, in ms, when it was over the
  // policy's retry_after_max_ms and the wait was cut to that; -1 otherwise
  // (and then the key is not written).
  std::int64_t retry_after_clamped_ms = -1;
  std::vector<std::string> faults;
  std::int64_t wall_offset_us = 0;  // send time since the run started
  std::int64_t wall_latency_us = 0;
  std::string response;  // the answer's body (longer ones are cut when written)
};

// How one planned delivery ended.
struct FinalRecord {
  std::string_view delivery;
  std::size_t stream = 0;
  std::string_view call;
  std::string_view event;
  int copy = 0;
  std::int64_t seq = -1;    // its place in its call's lifecycle (copies share it); -1: not written
  std::string_view result;  // "delivered", "failed", "dropped" or "cancelled"
  int attempts = 0;
  std::int64_t planned_ms = 0;
  std::vector<std::string> faults;
  std::string_view reason;  // why it failed or was dropped, "" when delivered
};

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
  void run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms);
  // The first line, with the start time given (replays, tests).
  void run_header(std::string_view scenario, std::uint64_t seed, double speed, std::int64_t epoch_ms,
                  std::string_view wall_started_at);
  void attempt(const AttemptRecord& record);
  void final_record(const FinalRecord& record);
  // Something the receiver did that the real vendor would reject.
  void finding(std::string_view call, std::string_view event, std::string_view message);
  // The last line: the accounting totals, and whether the run was interrupted.
  void end(std::int64_t planned, std::int64_t delivered, std::int64_t failed, std::int64_t dropped,
           std::int64_t cancelled = 0, bool interrupted = false);
  // Writes the buffer to the file and flushes it. Throws std::runtime_error
  // naming the path when the write fails.
  void flush();

  const std::string& path() const { return m_path; }

 private:
  void line_done();
  void write_buffer();

  std::string m_path;
  std::FILE* m_file = nullptr;
  bool m_owns_file = true;
  std::string m_buffer;
  std::string m_shard;  // "I/N" of a sharded run, "" for a whole one
  std::mutex m_mutex;
};

}  // namespace callhook::journal
