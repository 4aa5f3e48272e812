#pragma once
// GET /runs/{id}/journal and /events as a stream: the journal's new lines
// each time it is asked (JSONL, or Server-Sent Events with an id per
// record, a heartbeat comment when quiet, and an end event), until the run
// has ended and every line was sent, or the server stops.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "serve/http_exchange.hpp"
#include "serve/journal_tail.hpp"
#include "serve/run_registry.hpp"

namespace callhook::serve {

class JournalStream {
 public:
  // as_events: SSE; after_id: the Last-Event-ID the client sent (records up
  // to it are skipped); describe: the run as the end event carries it.
  JournalStream(std::shared_ptr<Run> run, bool as_events, std::uint64_t after_id,
                std::function<std::string(const Run&)> describe);
  // What to send now.
  Exchange::Chunk next(bool stopping);

 private:
  std::shared_ptr<Run> m_run;
  JournalTail m_tail;
  bool m_as_events;
  std::uint64_t m_after_id;
  std::uint64_t m_line = 0;  // lines read so far: a record's id is its line number
  std::function<std::string(const Run&)> m_describe;
  std::chrono::steady_clock::time_point m_last_sent = std::chrono::steady_clock::now();
};

// A comment line every this long keeps proxies and clients from closing a quiet stream.
constexpr std::chrono::seconds k_sse_heartbeat{15};

}  // namespace callhook::serve
