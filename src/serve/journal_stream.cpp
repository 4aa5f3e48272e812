#include "serve/journal_stream.hpp"

namespace callhook::serve {

JournalStream::JournalStream(std::shared_ptr<Run> run, bool as_events, std::uint64_t after_id,
                             std::function<std::string(const Run&)> describe)
    : m_run(std::move(run)),
      m_tail(m_run->journal_path()),
      m_as_events(as_events),
      m_after_id(after_id),
      m_describe(std::move(describe)) {}

Exchange::Chunk JournalStream::next(bool stopping) {
  const bool ended = m_run->ended();  // before reading: the last lines are written before the end
  std::vector<std::string> lines;
  m_tail.read_lines(lines);
  Exchange::Chunk chunk;
  for (const auto& line : lines) {
    ++m_line;
    if (!m_as_events) {
      chunk.text.append(line).append("\n");
    } else if (const auto name = event_name_for_line(line); !name.empty() && m_line > m_after_id) {
      chunk.text.append("id: ").append(std::to_string(m_line)).append("\n").append(sse_event(name, line));
    }
  }
  const auto now = std::chrono::steady_clock::now();
  if (ended || stopping) {
    if (m_as_events) chunk.text += sse_event("end", m_describe(*m_run));
    chunk.last = true;
  } else if (m_as_events && chunk.text.empty() && now - m_last_sent >= k_sse_heartbeat) {
    chunk.text = ": heartbeat\n\n";
  }
  if (!chunk.text.empty()) m_last_sent = now;
  return chunk;
}

}  // namespace callhook::serve
