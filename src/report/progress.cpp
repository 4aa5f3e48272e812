#include "report/progress.hpp"

#include <algorithm>
#include <cmath>
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
  // Plain lines (a log, a CI job) start after one interval: a run shorter
  // than that prints none.
  if (!m_redraw && !m_drawn && elapsed_s < m_interval_s) return;
  if (m_drawn && elapsed_s - m_last_s < m_interval_s) return;
  const double span = elapsed_s - m_last_s;
  const double sent_per_s = span > 0 ? static_cast<double>(live.sent - m_last_sent) / span : 0.0;
  const std::string line = format(live, elapsed_s, in_flight, sent_per_s, m_total_calls);
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
  // Nothing is drawn after the run, so no line lands among the summary's.
  m_interval_s = 0;
  if (!m_open) return;
  m_out << "\r\x1b[K" << std::flush;
  m_open = false;
}

namespace {

// "45s", "12m05s", "3h20m", "2d04h".
std::string duration_text(double seconds) {
  const long long s = std::llround(seconds);
  char text[32];
  if (s < 60)
    std::snprintf(text, sizeof text, "%llds", s);
  else if (s < 3600)
    std::snprintf(text, sizeof text, "%lldm%02llds", s / 60, s % 60);
  else if (s < 86400)
    std::snprintf(text, sizeof text, "%lldh%02lldm", s / 3600, s % 3600 / 60);
  else
    std::snprintf(text, sizeof text, "%lldd%02lldh", s / 86400, s % 86400 / 3600);
  return text;
}

}  // namespace

std::string ProgressLine::format(const RunStats::Live& live, double elapsed_s, std::int64_t in_flight,
                                 double sent_per_s, std::int64_t total_calls) {
  char p99[32] = "-";
  if (live.p99_latency_ms > 0) std::snprintf(p99, sizeof p99, "%.1f ms", live.p99_latency_ms);
  std::string calls;
  if (total_calls > 0) {
    const double done = static_cast<double>(std::min(live.calls_ended, total_calls));
    const double fraction = done / static_cast<double>(total_calls);
    char text[128];
    std::snprintf(text, sizeof text, "calls %lld/%lld (%.0f%%) ETA %s, %lld active",
                  static_cast<long long>(live.calls_ended), static_cast<long long>(total_calls), fraction * 100,
                  done > 0 ? duration_text(elapsed_s * (1 - fraction) / fraction).c_str() : "-",
                  static_cast<long long>(live.active_calls));
    calls = text;
  } else {
    calls = "calls " + std::to_string(live.active_calls) + " active";
  }
  char text[384];
  std::snprintf(text, sizeof text,
                "%7.1fs  %s  sent %lld (%.0f/s)  delivered %lld  failed %lld  in flight %lld  p99 %s", elapsed_s,
                calls.c_str(), static_cast<long long>(live.sent), sent_per_s, static_cast<long long>(live.delivered),
                static_cast<long long>(live.failed), static_cast<long long>(in_flight), p99);
  return text;
}

ProgressLine::Mode parse_progress_mode(std::string_view text) {
  if (text == "auto") return ProgressLine::Mode::Auto;
  if (text == "always") return ProgressLine::Mode::Always;
  if (text == "never") return ProgressLine::Mode::Never;
  throw std::invalid_argument("progress: expected auto, always or never, got \"" + std::string(text) + "\"");
}

}  // namespace callhook::report
