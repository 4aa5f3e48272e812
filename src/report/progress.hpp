#pragma once
// The live progress line during a run: redrawn in place on a terminal,
// occasional plain lines in logs, nothing when turned off.
#include <cstdint>
#include <iosfwd>
#include <string>
#include <string_view>

#include "report/run_stats.hpp"

namespace callhook::report {

class ProgressLine {
 public:
  enum class Mode { Auto, Always, Never };

  // Seconds between draws: redraws on a terminal, plain lines otherwise.
  static constexpr double k_tty_interval_s = 0.25;
  static constexpr double k_always_interval_s = 1.0;
  static constexpr double k_auto_interval_s = 5.0;

  ProgressLine(std::ostream& out, Mode mode, bool is_tty);

  // Call as often as convenient; draws only when the interval has passed
  // since the last draw (elapsed_s: wall seconds since the run started).
  // Plain lines (not a terminal) begin only after the first interval.
  void update(const RunStats::Live& live, double elapsed_s, std::int64_t in_flight);
  // Erases a redrawn line, so the summary that follows starts clean and no
  // stale numbers stay above it; nothing is drawn after it.
  void finish();
  // The number of calls the run will make, when known ahead: the line then
  // shows calls done of the total, the percentage and an ETA.
  void set_total_calls(std::int64_t total) { m_total_calls = total; }

  // The text of one progress line (no control characters); total_calls < 0
  // when unknown.
  static std::string format(const RunStats::Live& live, double elapsed_s, std::int64_t in_flight, double sent_per_s,
                            std::int64_t total_calls = -1);

 private:
  std::ostream& m_out;
  bool m_redraw = false;    // a terminal: one line redrawn with \r
  double m_interval_s = 0;  // 0: never draw
  bool m_drawn = false;     // a line was drawn
  bool m_open = false;      // a redrawn line awaits its newline
  double m_last_s = 0;
  std::int64_t m_last_sent = 0;
  std::int64_t m_total_calls = -1;
};

// "auto", "always" or "never"; throws std::invalid_argument otherwise.
ProgressLine::Mode parse_progress_mode(std::string_view text);

}  // namespace callhook::report
