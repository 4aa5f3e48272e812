#pragma once
// Follows a run's journal file as the run writes it: complete lines only,
// so a reader never sees half a record. Feeds GET /runs/{id}/journal and
// the Server-Sent Events of GET /runs/{id}/events.
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace callhook::serve {

class JournalTail {
 public:
  explicit JournalTail(std::string path);
  // Appends the lines completed since the last call, without their
  // newlines; returns how many were added (0 also when the file is missing).
  std::size_t read_lines(std::vector<std::string>& lines);

 private:
  std::string m_path;
  std::ifstream m_in;
  std::string m_partial;  // the start of a line not yet ended
};

// One Server-Sent Event: "event: NAME\ndata: DATA\n\n" (DATA holds no newline).
std::string sse_event(std::string_view name, std::string_view data);
// The event name for a journal line: "attempt", "delivery" (a final record)
// or "finding"; "" for the lines not sent as events (run header, end).
std::string_view event_name_for_line(std::string_view line);

}  // namespace callhook::serve
