#include "serve/journal_tail.hpp"

namespace callhook::serve {

JournalTail::JournalTail(std::string path) : m_path(std::move(path)) {}

std::size_t JournalTail::read_lines(std::vector<std::string>& lines) {
  if (!m_in.is_open()) {
    m_in.open(m_path, std::ios::binary);
    if (!m_in.is_open()) return 0;
  }
  char buffer[65536];
  std::size_t added = 0;
  for (;;) {
    m_in.read(buffer, sizeof(buffer));
    const auto got = static_cast<std::size_t>(m_in.gcount());
    if (got == 0) break;
    std::string_view chunk(buffer, got);
    for (auto newline = chunk.find('\n'); newline != std::string_view::npos; newline = chunk.find('\n')) {
      m_partial.append(chunk.substr(0, newline));
      lines.push_back(std::move(m_partial));
      m_partial.clear();
      ++added;
      chunk.remove_prefix(newline + 1);
    }
    m_partial.append(chunk);
  }
  m_in.clear();  // end of file for now: the writer may add more
  return added;
}

std::string sse_event(std::string_view name, std::string_view data) {
  std::string out;
  out.reserve(name.size() + data.size() + 16);
  out.append("event: ").append(name).append("\ndata: ").append(data).append("\n\n");
  return out;
}

std::string_view event_name_for_line(std::string_view line) {
  constexpr std::string_view prefix = "{\"kind\":\"";
  if (line.substr(0, prefix.size()) != prefix) return "";
  const std::string_view rest = line.substr(prefix.size());
  if (rest.substr(0, 8) == "attempt\"") return "attempt";
  if (rest.substr(0, 6) == "final\"") return "delivery";
  if (rest.substr(0, 8) == "finding\"") return "finding";
  return "";
}

}  // namespace callhook::serve
