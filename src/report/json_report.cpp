#include "report/json_report.hpp"

#include <cmath>
#include <type_traits>

#include "report/escape.hpp"

namespace callhook::report {
namespace {

using OrderedJson = nlohmann::ordered_json;

// An integer when the value is integral (limits, counts), otherwise the
// value rounded to 3 decimals; null when not finite.
OrderedJson number(double value) {
  if (!std::isfinite(value)) return nullptr;
  if (value == std::floor(value) && std::fabs(value) < 9e15) return static_cast<std::int64_t>(value);
  return std::round(value * 1000) / 1000;
}

// Microseconds as milliseconds rounded to the microsecond.
OrderedJson ms(double us) { return number(std::round(us) / 1000.0); }

OrderedJson buckets_json(const std::vector<std::pair<std::int64_t, std::int64_t>>& buckets) {
  OrderedJson out = OrderedJson::array();
  for (const auto& [low_us, count] : buckets) out.push_back(OrderedJson::array({low_us, count}));
  return out;
}

OrderedJson latency_json(const Histogram& histogram, bool with_mean) {
  const bool empty = histogram.count() == 0;
  const auto stat = [&](double us) { return empty ? OrderedJson(nullptr) : ms(us); };
  OrderedJson out{{"count", histogram.count()},
                  {"p50", stat(histogram.percentile(50))},
                  {"p90", stat(histogram.percentile(90))},
                  {"p99", stat(histogram.percentile(99))},
                  {"max", stat(static_cast<double>(histogram.max()))}};
  if (with_mean) out["mean"] = stat(histogram.mean());
  // Every bucket as counted, so that reports of the parts of one run merge
  // exactly (callhook merge).
  const Histogram::Exact exact = histogram.exact();
  out["exact"] = OrderedJson{{"min_us", exact.min},
                             {"max_us", exact.max},
                             {"sum_us", number(exact.sum)},
                             {"buckets", buckets_json(exact.buckets)}};
  return out;
}

OrderedJson histogram_json(const Histogram& histogram) {
  OrderedJson buckets = OrderedJson::array();
  for (const Histogram::Range& range : histogram.ranges()) {
    buckets.push_back(OrderedJson{{"from_ms", ms(static_cast<double>(range.low_us))},
                                  {"to_ms", ms(static_cast<double>(range.high_us))},
                                  {"count", range.count}});
  }
  return buckets;
}

// Counts or a second's counters, by their table.
template <class Table>
OrderedJson counts_json(const Table& counts, OrderedJson out = OrderedJson::object()) {
  for_each_count([&](CountField field, const std::int64_t& value) { out[field.key] = value; }, counts);
  return out;
}

// A probe by the journal's table, without its answer (bulky; the journal keeps it).
OrderedJson probe_result_json(const ProbeResult& probe) {
  OrderedJson out = OrderedJson::object();
  journal::for_each_field(
      [&](auto key, const auto& value) {
        using Key = decltype(key);
        if constexpr (Key::bulky) return;
        if constexpr (std::is_same_v<std::remove_cvref_t<decltype(value)>, std::string>)
          out[std::string(Key::name)] = valid_utf8(value);
        else
          out[std::string(Key::name)] = value;
      },
      probe);
  return out;
}

OrderedJson second_json(const RunStats& stats, std::size_t index, const Second& second) {
  OrderedJson errors = OrderedJson::object();
  for (std::size_t kind = 0; kind < k_attempt_error_kinds; ++kind) {
    if (second.errors[kind] > 0) errors[attempt_error_name(static_cast<AttemptError>(kind))] = second.errors[kind];
  }
  OrderedJson faults = OrderedJson::object();
  for (const auto& [name, count] : second.faults) faults[valid_utf8(stats.fault_names()[name])] = count;
  const bool timed = second.latency.count() > 0;
  OrderedJson out = counts_json(second, OrderedJson{{"second", index}});
  out["errors"] = std::move(errors);
  out["faults"] = std::move(faults);
  out["latency_ms"] = timed ? OrderedJson{{"p50", ms(second.latency.percentile(50))},
                                          {"p90", ms(second.latency.percentile(90))},
                                          {"p99", ms(second.latency.percentile(99))},
                                          {"buckets", buckets_json(second.latency.buckets())}}
                            : OrderedJson(nullptr);
  return out;
}

// The report's "run", "exit_code", "interrupted" and "duration_s".
void add_run(OrderedJson& report, const RunInfo& info) {
  OrderedJson targets = OrderedJson::array();
  for (const std::string& target : info.targets) targets.push_back(valid_utf8(target));
  report["run"] = OrderedJson{
      {"scenario", valid_utf8(info.scenario_name)},
      {"path", valid_utf8(info.scenario_path)},
      {"seed", info.seed},
      {"speed", info.speed <= 0 ? OrderedJson("max") : number(info.speed)},
      {"targets", std::move(targets)},
      {"ordering", info.ordering.empty() ? OrderedJson(nullptr) : OrderedJson(info.ordering)},
      {"started_at", info.started_at.empty() ? OrderedJson(nullptr) : OrderedJson(info.started_at)},
      {"calls", info.calls},
      {"call_back_legs", info.legs},
      {"virtual_span_ms", info.virtual_span_ms},
      {"first_delivery_ms", info.first_delivery_ms < 0 ? OrderedJson(nullptr) : number(info.first_delivery_ms)},
      {"peak_rss_mb", info.peak_rss_mb > 0 ? number(info.peak_rss_mb) : OrderedJson(nullptr)}};
  if (info.shard_count > 1)
    report["run"]["shard"] = OrderedJson{{"index", info.shard_index}, {"count", info.shard_count}};
  report["exit_code"] = info.exit_code < 0 ? OrderedJson(nullptr) : OrderedJson(info.exit_code);
  report["interrupted"] = info.interrupted;
  report["max_duration_reached"] = info.max_duration_s > 0;
  if (!info.aborted_by.empty()) report["aborted_by"] = info.aborted_by;
  report["duration_s"] = number(info.duration_s);
}

// "totals", "accounting", "events", "latency_ms" and "lateness_ms".
void add_counts(OrderedJson& report, const RunStats& stats) {
  OrderedJson totals = counts_json(stats.totals());
  totals["findings"] = stats.findings_total();
  totals["probes"] = stats.probes_total();
  totals["probe_failures"] = stats.probe_failures();
  totals["failing_calls"] = stats.failing_calls();
  report["totals"] = std::move(totals);
  report["accounting"] = OrderedJson{{"ok", stats.unaccounted() == 0}, {"unaccounted", stats.unaccounted()}};

  OrderedJson events = OrderedJson::object();
  for (const EventStats& event : stats.events()) {
    OrderedJson entry = counts_json(event.counts);
    entry["latency_ms"] = latency_json(event.latency, true);
    entry["lateness_ms"] = latency_json(event.lateness, false);
    events[valid_utf8(event.name)] = std::move(entry);
  }
  report["events"] = std::move(events);
  OrderedJson latency = latency_json(stats.latency(), true);
  latency["histogram"] = histogram_json(stats.latency());
  report["latency_ms"] = std::move(latency);
  report["lateness_ms"] = latency_json(stats.lateness(), false);
}

// "throughput", "errors" and "faults".
void add_throughput(OrderedJson& report, const RunStats& stats) {
  OrderedJson per_second = OrderedJson::array();
  const std::vector<Second>& seconds = stats.throughput();
  for (std::size_t i = 0; i < seconds.size(); ++i) per_second.push_back(second_json(stats, i, seconds[i]));
  const bool any = !seconds.empty();
  report["throughput"] =
      OrderedJson{{"unit", "per wall second"},
                  {"mean_sent_per_s", any ? number(stats.mean_sent_per_s()) : OrderedJson(nullptr)},
                  {"peak_sent_per_s", any ? OrderedJson(stats.peak_sent_per_s()) : OrderedJson(nullptr)},
                  {"mean_delivered_per_s", any ? number(stats.mean_delivered_per_s()) : OrderedJson(nullptr)},
                  {"peak_delivered_per_s", any ? OrderedJson(stats.peak_delivered_per_s()) : OrderedJson(nullptr)},
                  {"span_s", any ? OrderedJson(stats.span_seconds()) : OrderedJson(nullptr)},
                  {"span_ms", any ? ms(stats.span_s() * 1e6) : OrderedJson(nullptr)},
                  {"per_second", std::move(per_second)}};

  OrderedJson errors = OrderedJson::object();
  for (const auto& [kind, count] : stats.errors()) errors[kind] = count;
  report["errors"] = std::move(errors);
  OrderedJson faults = OrderedJson::object();
  for (const auto& [name, count] : stats.faults()) faults[valid_utf8(name)] = count;
  report["faults"] = std::move(faults);
}

// "failing_calls", "findings" and "probes".
void add_lists(OrderedJson& report, const RunStats& stats) {
  OrderedJson failing = OrderedJson::array();
  for (const CallOutcome& call : stats.calls()) {
    if (call.failure_count == 0) continue;
    failing.push_back(OrderedJson{{"call_id", valid_utf8(call.call_id)},
                                  {"failures", call.failure_count},
                                  {"first", valid_utf8(call.failures.empty() ? "" : call.failures.front())},
                                  {"vendor", valid_utf8(call.vendor)},
                                  {"first_event", valid_utf8(call.first_event)},
                                  {"last_event", valid_utf8(call.last_event)},
                                  {"first_sent_us", call.first_sent_us},
                                  {"last_answer_us", call.last_answer_us}});
    if (failing.size() >= 100) break;
  }
  report["failing_calls"] = std::move(failing);

  OrderedJson findings = OrderedJson::array();
  for (const vendors::Finding& finding : stats.findings()) {
    findings.push_back(OrderedJson{{"call_id", valid_utf8(finding.call_id)},
                                   {"event", valid_utf8(finding.event)},
                                   {"message", valid_utf8(finding.message)}});
  }
  report["findings"] = std::move(findings);
  OrderedJson probes = OrderedJson::array();
  for (const ProbeResult& probe : stats.probes()) probes.push_back(probe_result_json(probe));
  report["probes"] = std::move(probes);
}

}  // namespace

OrderedJson to_json(const RunStats& stats, const RunInfo& info) {
  OrderedJson report = OrderedJson::object();
  report["version"] = k_version;
  add_run(report, info);
  add_counts(report, stats);
  add_throughput(report, stats);
  add_lists(report, stats);
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
                               {"limit", number(result.limit)},
                               {"actual", result.no_data ? OrderedJson(nullptr) : number(result.actual)},
                               {"met", result.met},
                               {"text", valid_utf8(result.text)}});
  }
  report["expectations"] = std::move(list);
}

}  // namespace callhook::report
