#include "report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>
#include <tuple>

#include "report/escape.hpp"
#include "util/url.hpp"

namespace callhook::report {
namespace {

constexpr std::size_t k_text_findings = 20;
constexpr std::size_t k_text_failing_calls = 10;
// A statistic of nothing (a percentile with no answers): not 0, which would read as measured.
constexpr const char* k_nothing = "\u2013";

std::string fixed(double value, int decimals) {
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

std::string speed_text(double speed) {
  if (speed <= 0) return "max";
  char text[64];
  std::snprintf(text, sizeof text, "%gx", speed);
  return text;
}

// "850ms", "12.5s", "5m12s", "2h05m".
std::string span_text(std::int64_t ms_total) {
  if (ms_total < 1000) return std::to_string(ms_total) + "ms";
  if (ms_total < 60000) return fixed(static_cast<double>(ms_total) / 1000.0, 1) + "s";
  const std::int64_t s = ms_total / 1000;
  char text[64];
  if (s < 3600) {
    std::snprintf(text, sizeof text, "%lldm%02llds", static_cast<long long>(s / 60), static_cast<long long>(s % 60));
  } else {
    std::snprintf(text, sizeof text, "%lldh%02lldm", static_cast<long long>(s / 3600),
                  static_cast<long long>(s % 3600 / 60));
  }
  return text;
}

// Columns a UTF-8 text takes: its code points ("\u2013" is one).
std::size_t columns(const std::string& text) {
  return static_cast<std::size_t>(
      std::count_if(text.begin(), text.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

std::string pad_left(const std::string& text, std::size_t width) {
  const std::size_t used = columns(text);
  return used >= width ? text : std::string(width - used, ' ') + text;
}

std::string pad_right(const std::string& text, std::size_t width) {
  const std::size_t used = columns(text);
  return used >= width ? text : text + std::string(width - used, ' ');
}

class Style {
 public:
  explicit Style(bool color) : m_color(color) {}
  std::string bold(const std::string& text) const { return wrap("\x1b[1m", text); }
  std::string good(const std::string& text) const { return wrap("\x1b[32m", text); }
  std::string bad(const std::string& text) const { return wrap("\x1b[31m", text); }
  std::string mark(bool ok) const { return ok ? good("\u2713") : bad("\u2717"); }

 private:
  std::string wrap(const char* code, const std::string& text) const { return m_color ? code + text + "\x1b[0m" : text; }
  bool m_color;
};

void print_table(const RunStats& stats, std::ostream& out, const Style& style) {
  // The count columns are the Counts table's (report/run_stats.hpp).
  std::vector<std::string> headers;
  std::vector<bool> shown;  // per count field
  for_each_count(
      [&](CountField field, const std::int64_t& total) {
        shown.push_back(field.column != nullptr && (!field.column_when_used || total != 0));
        if (shown.back()) headers.emplace_back(field.column);
      },
      stats.totals());
  for (const char* header : {"p50 ms", "p90 ms", "p99 ms", "max ms"}) headers.emplace_back(header);
  struct Row {
    std::string name;
    std::vector<std::string> cells;
  };
  const auto row_of = [&shown](const std::string& name, const Counts& c, const Histogram& latency) {
    Row row{name, {}};
    std::size_t index = 0;
    for_each_count(
        [&](CountField, const std::int64_t& n) {
          if (shown[index++]) row.cells.push_back(std::to_string(n));
        },
        c);
    const bool timed = latency.count() > 0;
    for (double p : {50.0, 90.0, 99.0})
      row.cells.push_back(timed ? fixed(latency.percentile(p) / 1000.0, 2) : k_nothing);
    row.cells.push_back(timed ? fixed(static_cast<double>(latency.max()) / 1000.0, 2) : k_nothing);
    return row;
  };
  std::vector<Row> rows;
  for (const EventStats& event : stats.events()) {
    rows.push_back(row_of(printable(event.name), event.counts, event.latency));
  }
  rows.push_back(row_of("total", stats.totals(), stats.latency()));

  std::size_t name_width = 5;
  std::vector<std::size_t> widths;
  for (const std::string& header : headers) widths.push_back(columns(header));
  for (const Row& row : rows) {
    name_width = std::max(name_width, columns(row.name));
    for (std::size_t i = 0; i < row.cells.size(); ++i) widths[i] = std::max(widths[i], columns(row.cells[i]));
  }
  std::string header = pad_right("event", name_width);
  for (std::size_t i = 0; i < headers.size(); ++i) header += "  " + pad_left(headers[i], widths[i]);
  out << style.bold(header) << '\n';
  for (const Row& row : rows) {
    std::string line = pad_right(row.name, name_width);
    for (std::size_t i = 0; i < row.cells.size(); ++i) line += "  " + pad_left(row.cells[i], widths[i]);
    out << line << '\n';
  }
}

// "a 3, b 4" for a list of named counts.
template <class Pairs>
std::string joined(const Pairs& pairs) {
  std::string text;
  for (const auto& [name, count] : pairs) {
    if (!text.empty()) text += ", ";
    // "http_503" reads as "HTTP 503".
    const std::string shown = name.rfind("http_", 0) == 0 ? "HTTP " + name.substr(5) : name;
    text += printable(shown) + " " + std::to_string(count);
  }
  return text;
}

// "host:port" of a target URL, or the text itself when it is not one.
std::string host_port(const std::string& target) {
  const auto url = util::parse_url(target);
  if (!url) return target;
  const bool v6 = url->host.find(':') != std::string::npos;
  return (v6 ? "[" + url->host + "]" : url->host) + ":" + std::to_string(url->port);
}

std::string list_text(const std::vector<std::string>& items, const char* separator) {
  std::string text;
  for (const std::string& item : items) text += (text.empty() ? "" : separator) + printable(item);
  return text;
}

}  // namespace

std::vector<std::string> connection_problems(const RunStats& stats, const RunInfo& info) {
  std::vector<std::string> out;
  std::vector<std::string> where;
  for (const std::string& target : info.targets) where.push_back(host_port(target));
  const std::string at = where.empty() ? "the receiver" : list_text(where, " or ");
  std::int64_t connect = 0, tls = 0;
  for (const auto& [kind, count] : stats.errors()) {
    if (kind == "connect") connect = count;
    if (kind == "tls") tls = count;
  }
  if (connect > 0) {
    const std::string& reason = stats.first_reason(delivery::ErrorKind::Connect);
    const bool refused =
        reason.find("refused") != std::string::npos || reason.find("Connection refused") != std::string::npos;
    if (refused || reason.empty())
      out.push_back("connection refused at " + at + ": is your receiver running? (" + std::to_string(connect) +
                    (connect == 1 ? " attempt)" : " attempts)"));
    else
      out.push_back("cannot connect to " + at + ": " + printable(reason));
  }
  if (tls > 0) {
    const std::string& reason = stats.first_reason(delivery::ErrorKind::Tls);
    out.push_back("TLS handshake with " + at + " failed" + (reason.empty() ? "" : ": " + printable(reason)) + " (" +
                  std::to_string(tls) + (tls == 1 ? " attempt)" : " attempts)"));
  }
  return out;
}

void print_text(const RunStats& stats, const RunInfo& info, std::ostream& out) {
  print_text(stats, info, {}, out, false);
}

namespace {

// The scenario line, targets, outputs, connection problems, the table.
void print_header(const RunStats& stats, const RunInfo& info, std::ostream& out, const Style& style) {
  const Counts& totals = stats.totals();
  std::string header = "scenario " + printable(info.scenario_name);
  if (!info.scenario_path.empty()) header += " (" + printable(info.scenario_path) + ")";
  header += "  seed " + std::to_string(info.seed) + "  speed " + speed_text(info.speed) +
            (info.ordering.empty() ? "" : "  ordering " + info.ordering) + "  wall " + fixed(info.duration_s, 2) +
            "s  virtual " + span_text(info.virtual_span_ms) + "  calls " + std::to_string(info.calls) +
            (info.legs > 0 ? " (+" + std::to_string(info.legs) + " call-back legs)" : "");
  out << style.bold(header) << '\n';
  if (!info.targets.empty())
    out << (info.targets.size() == 1 ? "target       " : "targets      ") << list_text(info.targets, ", ") << '\n';
  if (!info.outputs.empty()) out << "wrote        " << list_text(info.outputs, ", ") << '\n';
  for (const std::string& problem : connection_problems(stats, info)) out << style.bad(problem) << '\n';
  if (!info.aborted_by.empty())
    out << style.bad("aborted by expectation " + info.aborted_by + ": " + std::to_string(totals.cancelled) +
                     " deliveries cancelled")
        << '\n';
  else if (info.interrupted && info.max_duration_s > 0)
    out << style.bad("stopped at the max duration (" + span_text(std::llround(info.max_duration_s * 1000)) +
                     "): " + std::to_string(totals.cancelled) + " deliveries cancelled")
        << '\n';
  else if (info.interrupted)
    out << style.bad("interrupted: " + std::to_string(totals.cancelled) + " deliveries cancelled") << '\n';
  out << '\n';
  print_table(stats, out, style);
  out << '\n';
}

// Lateness, process, throughput, errors, faults, too slow, refusals.
void print_rates(const RunStats& stats, const RunInfo& info, std::ostream& out, const Style& style) {
  const Counts& totals = stats.totals();
  if (info.speed > 0 && stats.lateness().count() > 0)
    out << "lateness     p50 " << fixed(stats.lateness().percentile(50) / 1000.0, 2) << " ms  p99 "
        << fixed(stats.lateness().percentile(99) / 1000.0, 2) << " ms\n";
  if (info.first_delivery_ms >= 0 || info.peak_rss_mb > 0) {
    out << "process      first request " << fixed(info.first_delivery_ms, 1) << " ms after start";
    if (info.peak_rss_mb > 0) out << "  peak memory " << fixed(info.peak_rss_mb, 1) << " MiB";
    out << '\n';
  }
  out << "throughput   sent mean " << fixed(stats.mean_sent_per_s(), 1) << "/s peak " << stats.peak_sent_per_s()
      << "/s; delivered mean " << fixed(stats.mean_delivered_per_s(), 1) << "/s peak " << stats.peak_delivered_per_s()
      << "/s (per wall second)\n";
  const auto errors = stats.errors();
  if (errors.empty())
    out << "errors       none\n";
  else
    out << "errors       " << stats.error_total() << " of " << totals.sent << " attempts: " << joined(errors) << '\n';
  out << "faults       " << (stats.faults().empty() ? "none" : joined(stats.faults())) << '\n';
  if (totals.too_slow > 0) {
    out << "too slow     " << totals.too_slow
        << " answers were 2xx after the vendor's timeout: the real vendor would have retried or dropped them\n";
  }
  if (totals.retry_after_clamped > 0)
    out << "retry-after  " << totals.retry_after_clamped
        << " answers asked to wait longer than retry.retry_after_max_ms: the retry waited that long (each attempt's "
           "retry_after_clamped_ms in the journal says what was asked)\n";
  if (totals.rejected_as_expected > 0)
    out << "refused      " << totals.rejected_as_expected
        << " deliveries with a bad signature or a stale timestamp were refused with a 4xx, as they must be\n";
  for (const auto& [name, count, what] :
       {std::tuple{"accepted_bad_signature", totals.accepted_bad_signature, "a bad signature"},
        std::tuple{"accepted_stale_timestamp", totals.accepted_stale_timestamp, "a stale timestamp"}})
    if (count > 0)
      out << style.bad(std::string(name) + " " + std::to_string(count) + ": the receiver accepted deliveries with " +
                       what + "; a correct receiver refuses them")
          << '\n';
}

// Failing calls, findings and probe failures, each list cut short.
void print_failures(const RunStats& stats, const RunInfo& info, std::ostream& out) {
  if (stats.failing_calls() > 0) {
    // Each call-back leg has a call id of its own, so it is listed as one.
    out << (info.legs > 0 ? "\nfailing calls and call-back legs (" : "\nfailing calls (") << stats.failing_calls()
        << "):\n";
    std::size_t shown = 0;
    for (const CallOutcome& call : stats.calls()) {
      if (call.failure_count == 0) continue;
      if (shown == k_text_failing_calls) break;
      out << "  " << printable(call.call_id) << ' ' << printable(call.failures.empty() ? "" : call.failures.front());
      if (call.failure_count > 1)
        out << " (and " << call.failure_count - 1 << (call.failure_count == 2 ? " more failure" : " more failures")
            << " in this call)";
      out << '\n';
      ++shown;
    }
    const std::int64_t more = stats.failing_calls() - static_cast<std::int64_t>(shown);
    if (more > 0) out << "  and " << more << " more calls\n";
  }

  if (stats.findings_total() > 0) {
    out << "\nfindings (" << stats.findings_total() << "):\n";
    const std::size_t shown = std::min(stats.findings().size(), k_text_findings);
    for (std::size_t i = 0; i < shown; ++i) {
      const vendors::Finding& finding = stats.findings()[i];
      out << "  " << printable(finding.call_id) << ' ' << printable(finding.event) << ": " << printable(finding.message)
          << '\n';
    }
    const std::int64_t more = stats.findings_total() - static_cast<std::int64_t>(shown);
    if (more > 0) out << "  and " << more << " more\n";
  }

  if (stats.probe_failures() > 0) {
    out << "\nprobe failures (" << stats.probe_failures() << " of " << stats.probes_total() << "):\n";
    std::int64_t shown = 0;
    for (const ProbeResult& probe : stats.probes()) {
      if (probe.passed) continue;
      if (shown == static_cast<std::int64_t>(k_text_findings)) break;
      out << "  " << printable(probe.call_id) << ' ' << printable(probe.url) << ": " << printable(probe.message)
          << '\n';
      ++shown;
    }
    if (stats.probe_failures() > shown) out << "  and " << stats.probe_failures() - shown << " more\n";
  }
}

// The accounting identity, checked.
void print_accounting(const RunStats& stats, const RunInfo& info, std::ostream& out, const Style& style) {
  const Counts& totals = stats.totals();
  const std::int64_t unaccounted = stats.unaccounted();
  out << "\naccounting: " << totals.planned << " planned " << (unaccounted == 0 ? "=" : "!=") << ' ' << totals.delivered
      << " delivered + ";
  if (totals.rejected_as_expected > 0) out << totals.rejected_as_expected << " rejected as expected + ";
  out << totals.failed << " failed + " << totals.dropped << " dropped";
  if (totals.cancelled > 0 || info.interrupted) out << " + " << totals.cancelled << " cancelled";
  out << "  ";
  if (unaccounted == 0) {
    out << style.mark(true) << '\n';
  } else {
    const std::string why = unaccounted > 0 ? std::to_string(unaccounted) + " unaccounted"
                                            : std::to_string(-unaccounted) + " more ended than planned";
    out << style.mark(false) << ' ' << style.bad(why) << '\n';
  }
}

}  // namespace

void print_text(const RunStats& stats, const RunInfo& info, const std::vector<ExpectationResult>& expectations,
                std::ostream& out, bool color) {
  const Style style{color};
  print_header(stats, info, out, style);
  print_rates(stats, info, out, style);
  print_failures(stats, info, out);
  if (!expectations.empty()) {
    out << "\nexpectations:\n";
    for (const ExpectationResult& result : expectations) {
      out << "  " << style.mark(result.met) << ' ' << printable(result.text) << '\n';
    }
  }

  print_accounting(stats, info, out, style);
}

}  // namespace callhook::report
