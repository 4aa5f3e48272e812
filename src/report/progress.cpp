#include "report/progress.hpp"

#include <cstdio>
#include <ostream>
#include <stdexcept>

namespace callhook::report {

ProgressLine::ProgressLine(std::ostream& out, Mode mode, bool is_tty) : m_out(out) {
  if (mode == Mode::Never) return;
  m_redraw = is_tty;
  if (is_tty) {
    m_interval_s = k_tty_interval_s;
  } else {
    m_interval_s = mode == Mode::Always ? k_always_interval_s : k_auto_interval_s;
  }
}

void ProgressLine::update(const RunStats::Live& live, double elapsed_s, std::int64_t in_flight) {
  if (m_interval_s <= 0) return;
  if (m_drawn && elapsed_s - m_last_s < m_interval_s) return;
  const double span = elapsed_s - m_last_s;
  const double sent_per_s = span > 0 ? static_cast<double>(live.sent - m_last_sent) / span : 0.0;
  const std::string line = format(live, elapsed_s, in_flight, sent_per_s);
  if (m_redraw) {
    // \x1b[K clears what a longer previous line left behind.
    m_out << '\r' << line << "\x1b[K" << std::flush;
    m_open = true;
  } else {
    m_out << line << '\n' << std::flush;
  }
  m_drawn = true;
  m_last_s = elapsed_s;
  m_last_sent = live.sent;
}

void ProgressLine::finish() {
  if (!m_open) return;
  m_out << '\n' << std::flush;
  m_open = false;
}

std::string ProgressLine::format(const RunStats::Live& live, double elapsed_s, std::int64_t in_flight,
                                 double sent_per_s) {
  char p99[32] = "-";
  if (live.p99_latency_ms > 0) std::snprintf(p99, sizeof p99, "%.1f ms", live.p99_latency_ms);
  char text[256];
  std::snprintf(text, sizeof text,
                "%7.1fs  calls %lld active  sent %lld (%.0f/s)  delivered %lld  failed %lld  in flight %lld  p99 %s",
                elapsed_s, static_cast<long long>(live.active_calls), static_cast<long long>(live.sent), sent_per_s,
                static_cast<long long>(live.delivered), static_cast<long long>(live.failed),
                static_cast<long long>(in_flight), p99);
  return text;
}

ProgressLine::Mode parse_progress_mode(std::string_view text) {
  if (text == "auto") return ProgressLine::Mode::Auto;
  if (text == "always") return ProgressLine::Mode::Always;
  if (text == "never") return ProgressLine::Mode::Never;
  throw std::invalid_argument("progress: expected auto, always or never, got \"" + std::string(text) + "\"");
}

}  // namespace callhook::report
