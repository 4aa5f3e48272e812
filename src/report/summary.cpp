#include "report/summary.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ostream>
#include <string>

#include "report/escape.hpp"

namespace callhook::report {
namespace {

using OrderedJson = nlohmann::ordered_json;

constexpr std::size_t k_text_findings = 20;

// Microseconds as milliseconds rounded to the microsecond.
double ms(double us) { return std::round(us) / 1000.0; }

OrderedJson latency_json(const Histogram& histogram) {
  return OrderedJson{{"p50", ms(histogram.percentile(50))},
                     {"p90", ms(histogram.percentile(90))},
                     {"p99", ms(histogram.percentile(99))},
                     {"max", ms(static_cast<double>(histogram.max()))},
                     {"mean", ms(histogram.mean())}};
}

OrderedJson lateness_json(const Histogram& histogram) {
  return OrderedJson{{"p50", ms(histogram.percentile(50))},
                     {"p90", ms(histogram.percentile(90))},
                     {"p99", ms(histogram.percentile(99))},
                     {"max", ms(static_cast<double>(histogram.max()))}};
}

OrderedJson counts_json(const Counts& counts) {
  return OrderedJson{{"planned", counts.planned},   {"sent", counts.sent},
                     {"delivered", counts.delivered}, {"failed", counts.failed},
                     {"dropped", counts.dropped},   {"cancelled", counts.cancelled},
                     {"retried", counts.retried},
                     {"too_slow", counts.too_slow}, {"out_of_order", counts.out_of_order}};
}

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

std::string pad_left(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

std::string pad_right(const std::string& text, std::size_t width) {
  return text.size() >= width ? text : text + std::string(width - text.size(), ' ');
}

class Style {
 public:
  explicit Style(bool color) : m_color(color) {}
  std::string bold(const std::string& text) const { return wrap("\x1b[1m", text); }
  std::string good(const std::string& text) const { return wrap("\x1b[32m", text); }
  std::string bad(const std::string& text) const { return wrap("\x1b[31m", text); }
  std::string mark(bool ok) const { return ok ? good("\u2713") : bad("\u2717"); }

 private:
  std::string wrap(const char* code, const std::string& text) const {
    return m_color ? code + text + "\x1b[0m" : text;
  }
  bool m_color;
};

void print_table(const RunStats& stats, std::ostream& out, const Style& style) {
  static const std::vector<std::string> k_headers = {"planned", "sent",   "delivered", "failed", "dropped",
                                                     "retried", "out-of-order", "p50 ms", "p90 ms",
                                                     "p99 ms",  "max ms"};
  struct Row {
    std::string name;
    std::vector<std::string> cells;
  };
  const auto row_of = [](const std::string& name, const Counts& c, const Histogram& latency) {
    Row row{name, {}};
    for (std::int64_t n : {c.planned, c.sent, c.delivered, c.failed, c.dropped, c.retried, c.out_of_order}) {
      row.cells.push_back(std::to_string(n));
    }
    for (double p : {50.0, 90.0, 99.0}) row.cells.push_back(fixed(latency.percentile(p) / 1000.0, 2));
    row.cells.push_back(fixed(static_cast<double>(latency.max()) / 1000.0, 2));
    return row;
  };
  std::vector<Row> rows;
  for (const EventStats& event : stats.events()) {
    rows.push_back(row_of(printable(event.name), event.counts, event.latency));
  }
  rows.push_back(row_of("total", stats.totals(), stats.latency()));

  std::size_t name_width = 5;
  std::vector<std::size_t> widths;
  for (const std::string& header : k_headers) widths.push_back(header.size());
  for (const Row& row : rows) {
    name_width = std::max(name_width, row.name.size());
    for (std::size_t i = 0; i < row.cells.size(); ++i) widths[i] = std::max(widths[i], row.cells[i].size());
  }
  std::string header = pad_right("event", name_width);
  for (std::size_t i = 0; i < k_headers.size(); ++i) header += "  " + pad_left(k_headers[i], widths[i]);
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
    text += printable(name) + " " + std::to_string(count);
  }
  return text;
}

}  // namespace

OrderedJson to_json(const RunStats& stats, const RunInfo& info) {
  OrderedJson report = OrderedJson::object();
  report["run"] = OrderedJson{{"scenario", valid_utf8(info.scenario_name)},
                              {"path", valid_utf8(info.scenario_path)},
                              {"seed", info.seed},
                              {"speed", info.speed <= 0 ? OrderedJson("max") : OrderedJson(info.speed)},
                              {"calls", info.calls},
                              {"virtual_span_ms", info.virtual_span_ms},
                              {"first_delivery_ms", info.first_delivery_ms},
                              {"peak_rss_mb", info.peak_rss_mb}};
  if (info.shard_count > 1)
    report["run"]["shard"] = OrderedJson{{"index", info.shard_index}, {"count", info.shard_count}};
  report["interrupted"] = info.interrupted;  // by a signal or a cancel: the totals are partial
  report["duration_s"] = info.duration_s;

  OrderedJson totals = counts_json(stats.totals());
  totals["findings"] = stats.findings_total();
  totals["probes"] = stats.probes_total();
  totals["probe_failures"] = stats.probe_failures();
  report["totals"] = std::move(totals);
  report["accounting"] = OrderedJson{{"ok", stats.unaccounted() == 0}, {"unaccounted", stats.unaccounted()}};

  OrderedJson events = OrderedJson::object();
  for (const EventStats& event : stats.events()) {
    OrderedJson entry = counts_json(event.counts);
    entry["latency_ms"] = latency_json(event.latency);
    entry["lateness_ms"] = lateness_json(event.lateness);
    events[valid_utf8(event.name)] = std::move(entry);
  }
  report["events"] = std::move(events);
  report["latency_ms"] = latency_json(stats.latency());
  report["lateness_ms"] = lateness_json(stats.lateness());

  OrderedJson per_second = OrderedJson::array();
  const std::vector<Second>& seconds = stats.throughput();
  for (std::size_t i = 0; i < seconds.size(); ++i) {
    per_second.push_back(OrderedJson{{"second", i}, {"sent", seconds[i].sent}, {"delivered", seconds[i].delivered}});
  }
  report["throughput"] = OrderedJson{{"per_second", std::move(per_second)},
                                     {"mean_per_s", std::round(stats.mean_sent_per_s() * 1000) / 1000},
                                     {"peak_per_s", stats.peak_sent_per_s()},
                                     {"mean_delivered_per_s", std::round(stats.mean_delivered_per_s() * 1000) / 1000}};

  OrderedJson errors = OrderedJson::object();
  for (const auto& [kind, count] : stats.errors()) errors[kind] = count;
  report["errors"] = std::move(errors);
  OrderedJson faults = OrderedJson::object();
  for (const auto& [name, count] : stats.faults()) faults[valid_utf8(name)] = count;
  report["faults"] = std::move(faults);

  OrderedJson findings = OrderedJson::array();
  for (const vendors::Finding& finding : stats.findings()) {
    findings.push_back(OrderedJson{{"call_id", valid_utf8(finding.call_id)},
                                   {"event", valid_utf8(finding.event)},
                                   {"message", valid_utf8(finding.message)}});
  }
  report["findings"] = std::move(findings);
  OrderedJson probes = OrderedJson::array();
  for (const ProbeResult& probe : stats.probes()) {
    probes.push_back(OrderedJson{{"call_id", valid_utf8(probe.call_id)},
                                 {"url", valid_utf8(probe.url)},
                                 {"passed", probe.passed},
                                 {"message", valid_utf8(probe.message)}});
  }
  report["probes"] = std::move(probes);
  report["expectations"] = OrderedJson::array();
  return report;
}

OrderedJson to_json(const RunStats& stats, const RunInfo& info, const std::vector<ExpectationResult>& expectations) {
  OrderedJson report = to_json(stats, info);
  add_expectations(report, expectations);
  return report;
}

void add_expectations(OrderedJson& report, const std::vector<ExpectationResult>& results) {
  OrderedJson list = OrderedJson::array();
  for (const ExpectationResult& result : results) {
    list.push_back(OrderedJson{{"name", valid_utf8(result.name)},
                               {"limit", result.limit},
                               {"actual", result.actual},
                               {"met", result.met},
                               {"text", valid_utf8(result.text)}});
  }
  report["expectations"] = std::move(list);
}

void print_text(const RunStats& stats, const RunInfo& info, std::ostream& out) {
  print_text(stats, info, {}, out, false);
}

void print_text(const RunStats& stats, const RunInfo& info, const std::vector<ExpectationResult>& expectations,
                std::ostream& out, bool color) {
  const Style style{color};
  const Counts& totals = stats.totals();

  std::string header = "scenario " + printable(info.scenario_name);
  if (!info.scenario_path.empty()) header += " (" + printable(info.scenario_path) + ")";
  header += "  seed " + std::to_string(info.seed) + "  speed " + speed_text(info.speed) +
            (info.ordering.empty() ? "" : "  ordering " + info.ordering) + "  wall " +
            fixed(info.duration_s, 2) + "s  virtual " + span_text(info.virtual_span_ms) + "  calls " +
            std::to_string(info.calls);
  out << style.bold(header) << "\n";
  if (info.interrupted)
    out << style.bad("INTERRUPTED: partial results; deliveries not yet final were cancelled") << '\n';
  out << '\n';
  print_table(stats, out, style);
  out << '\n';

  out << "lateness     p50 " << fixed(stats.lateness().percentile(50) / 1000.0, 2) << " ms  p99 "
      << fixed(stats.lateness().percentile(99) / 1000.0, 2) << " ms\n";
  if (info.first_delivery_ms >= 0 || info.peak_rss_mb > 0)
    out << "process      first request " << fixed(info.first_delivery_ms, 1) << " ms after start  peak memory "
        << fixed(info.peak_rss_mb, 1) << " MiB\n";
  out << "throughput   mean " << fixed(stats.mean_sent_per_s(), 1) << "/s  peak " << stats.peak_sent_per_s()
      << "/s sent; mean " << fixed(stats.mean_delivered_per_s(), 1) << "/s delivered\n";
  const auto errors = stats.errors();
  out << "errors       " << (errors.empty() ? "none" : joined(errors)) << '\n';
  out << "faults       " << (stats.faults().empty() ? "none" : joined(stats.faults())) << '\n';
  if (totals.too_slow > 0) {
    out << "too slow     " << totals.too_slow
        << " answers were 2xx after the vendor's timeout: the real vendor would have retried or dropped them\n";
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
      out << "  " << printable(probe.call_id) << ' ' << printable(probe.url) << ": " << printable(probe.message) << '\n';
      ++shown;
    }
    if (stats.probe_failures() > shown) out << "  and " << stats.probe_failures() - shown << " more\n";
  }

  if (!expectations.empty()) {
    out << "\nexpectations:\n";
    for (const ExpectationResult& result : expectations) {
      out << "  " << style.mark(result.met) << ' ' << printable(result.text) << '\n';
    }
  }

  const std::int64_t unaccounted = stats.unaccounted();
  out << "\naccounting: " << totals.planned << " planned " << (unaccounted == 0 ? "=" : "!=") << ' '
      << totals.delivered << " delivered + " << totals.failed << " failed + " << totals.dropped << " dropped";
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

}  // namespace callhook::report
