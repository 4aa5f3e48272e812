#include "report/report_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <type_traits>

#include "util/json_cursor.hpp"
#include "util/time_format.hpp"

namespace callhook::report {
namespace {

using util::Cursor;
// Counts far beyond any run (10^15), yet small enough that adding the
// counts of many reports cannot overflow.
constexpr std::int64_t k_max_count = 1000000000000000;
// Errors and faults of one second are kept as 32-bit counts.
constexpr std::int64_t k_max_per_second = 100000000;
// As run --shards allows.
constexpr std::int64_t k_max_shards = 1000000;
using Buckets = std::vector<std::pair<std::int64_t, std::int64_t>>;

// [[low_us, count], ...]
Buckets read_buckets(const Cursor& list) {
  Buckets out;
  if (!list.is_array()) return out;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const Cursor pair = list.at(i);
    if (!pair.is_array() || pair.size() != 2) {
      pair.fail_expected("a [low_us, count] pair");
      continue;
    }
    const auto low = pair.at(0).integer(0, k_max_count);
    const auto count = pair.at(1).integer(1, k_max_count);
    if (low && count) out.emplace_back(*low, *count);
  }
  return out;
}

// A latency object's "exact" part, checked against its "count".
Histogram read_histogram(const Cursor& latency) {
  const Cursor exact = latency["exact"];
  exact.require();
  if (!exact.is_object()) return {};
  Histogram::Exact e;
  e.min = exact["min_us"].integer_or(0, 0, k_max_count);
  e.max = exact["max_us"].integer_or(0, 0, k_max_count);
  e.sum = exact["sum_us"].number_or(0, 0);
  exact["buckets"].require();
  e.buckets = read_buckets(exact["buckets"]);
  std::optional<Histogram> histogram = Histogram::from_exact(e);
  if (!histogram) {
    exact.fail("min_us, max_us and the buckets do not describe a histogram");
    return {};
  }
  if (const auto count = latency["count"].integer(0); count && *count != histogram->count())
    exact.fail("the buckets hold " + std::to_string(histogram->count()) + " values, \"count\" says " +
               std::to_string(*count));
  return *histogram;
}

// Counts or a second's counters, by their table (a second's may be left out when 0).
template <class Table>
void read_counts(const Cursor& c, Table& out, bool required = true) {
  for_each_count(
      [&](CountField field, std::int64_t& value) {
        if (required) c[field.key].require();
        value = c[field.key].integer_or(0, 0, k_max_count);
      },
      out);
}

// A probe by the journal's table (the JSON report leaves out its answer).
ProbeResult read_probe(const Cursor& c) {
  ProbeResult probe;
  journal::for_each_field(
      [&](auto key, auto& value) {
        using Key = decltype(key);
        using Value = std::remove_cvref_t<decltype(value)>;
        const Cursor field = c[Key::name];
        if constexpr (Key::bulky) return;
        if constexpr (std::is_same_v<Value, bool>)
          value = field.boolean_or(false);
        else if constexpr (std::is_integral_v<Value>)
          value = static_cast<Value>(field.integer_or(value, std::max<std::int64_t>(Key::min, 0), k_max_count));
        else
          value = field.string_or(value);
      },
      probe);
  return probe;
}

// Each member of an object of counts, in key order.
std::vector<std::pair<std::string, std::int64_t>> read_named_counts(const Cursor& object,
                                                                    std::int64_t max = k_max_count) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  if (!object.is_object()) return out;
  for (const auto& [name, value] : object.node()->items())
    if (const auto count = object[name].integer(0, max)) out.emplace_back(name, *count);
  return out;
}

// Fields a report writes as null when there is nothing to say.
std::string string_or_null(const Cursor& c) { return c.present() ? c.string_or("") : ""; }
double number_or_null(const Cursor& c, double fallback, double min = -1e300) {
  return c.present() ? c.number_or(fallback, min) : fallback;
}
std::int64_t integer_or_null(const Cursor& c, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  return c.present() ? c.integer_or(fallback, min, max) : fallback;
}

std::optional<AttemptError> attempt_error_from_name(const std::string& name) {
  for (std::size_t kind = 0; kind < k_attempt_error_kinds; ++kind)
    if (name == attempt_error_name(static_cast<AttemptError>(kind))) return static_cast<AttemptError>(kind);
  return std::nullopt;
}

std::optional<delivery::ErrorKind> transport_error_from_name(const std::string& name) {
  for (const auto kind : {delivery::ErrorKind::Connect, delivery::ErrorKind::Timeout, delivery::ErrorKind::Closed,
                          delivery::ErrorKind::Tls, delivery::ErrorKind::Protocol})
    if (name == delivery::error_name(kind)) return kind;
  return std::nullopt;
}

// Every problem found, one per line, naming the file and the JSON pointer.
[[noreturn]] void fail(const util::Problems& problems, const std::string& source) {
  std::string text = problems.format(source);
  if (!text.empty() && text.back() == '\n') text.pop_back();
  throw ReportError(text);
}

// The run: "run", "exit_code", "interrupted", "duration_s".
void read_run_info(const Cursor& root, ReadReport& out) {
  RunInfo& info = out.info;
  const Cursor run = root["run"];
  info.scenario_name = run["scenario"].string_or("");
  info.scenario_path = run["path"].string_or("");
  run["seed"].require();
  info.seed = run["seed"].unsigned_integer().value_or(0);
  if (run["speed"].node() && run["speed"].node()->is_string()) {
    if (run["speed"].string_or("") != "max") run["speed"].fail_expected("\"max\" or a number");
  } else {
    info.speed = run["speed"].number_or(0, 0);
  }
  const Cursor targets = run["targets"];
  for (std::size_t i = 0; targets.is_array() && i < targets.size(); ++i)
    info.targets.push_back(targets.at(i).string_or(""));
  info.ordering = string_or_null(run["ordering"]);
  run["started_at"].require();
  info.started_at = string_or_null(run["started_at"]);
  if (const auto started = util::parse_iso8601(info.started_at))
    out.started_at_ms = *started;
  else if (!info.started_at.empty())
    run["started_at"].fail_expected("an ISO 8601 time");
  info.calls = run["calls"].integer_or(0, 0, k_max_count);
  info.legs = integer_or_null(run["call_back_legs"], 0, 0, k_max_count);
  info.virtual_span_ms = run["virtual_span_ms"].integer_or(0, 0, k_max_count);
  info.first_delivery_ms = number_or_null(run["first_delivery_ms"], -1);
  info.peak_rss_mb = number_or_null(run["peak_rss_mb"], 0, 0);
  if (run["shard"].present()) {
    info.shard_index = static_cast<std::uint64_t>(run["shard"]["index"].integer_or(0, 0, k_max_shards));
    info.shard_count = static_cast<std::uint64_t>(run["shard"]["count"].integer_or(1, 1, k_max_shards));
    if (info.shard_index >= info.shard_count) run["shard"]["index"].fail("is not below the shard count");
  }
  info.exit_code = static_cast<int>(integer_or_null(root["exit_code"], -1, 0, 255));
  info.interrupted = root["interrupted"].boolean_or(false);
  info.aborted_by = root["aborted_by"].string_or("");
  info.duration_s = number_or_null(root["duration_s"], 0, 0);
}

// "totals", "events", "latency_ms", "lateness_ms".
void read_counts_and_latency(const Cursor& root, RunStats::Parts& parts) {
  const Cursor totals = root["totals"];
  read_counts(totals, parts.totals);
  parts.findings_total = totals["findings"].integer_or(0, 0, k_max_count);
  parts.probes_total = totals["probes"].integer_or(0, 0, k_max_count);
  parts.probe_failures = totals["probe_failures"].integer_or(0, 0, k_max_count);
  parts.failing_calls = totals["failing_calls"].integer_or(0, 0, k_max_count);
  const Cursor events = root["events"];
  if (events.is_object()) {
    for (const auto& [name, value] : events.node()->items()) {
      EventStats& event = parts.events.emplace_back();
      event.name = name;
      read_counts(events[name], event.counts);
      event.latency = read_histogram(events[name]["latency_ms"]);
      event.lateness = read_histogram(events[name]["lateness_ms"]);
    }
  }
  parts.latency = read_histogram(root["latency_ms"]);
  parts.lateness = read_histogram(root["lateness_ms"]);
}

// The index of a fault name in the per-second series, added when new.
std::uint16_t fault_index(std::vector<std::string>& names, const std::string& name) {
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end()) names.push_back(name);
  return static_cast<std::uint16_t>(std::find(names.begin(), names.end(), name) - names.begin());
}

// One entry of "throughput"/"per_second".
Second read_second(const Cursor& entry, std::vector<std::string>& fault_names) {
  Second second;
  read_counts(entry, second, /*required=*/false);
  for (const auto& [name, count] : read_named_counts(entry["errors"], k_max_per_second)) {
    if (const auto kind = attempt_error_from_name(name))
      second.errors[static_cast<std::size_t>(*kind)] = static_cast<std::int32_t>(count);
    else
      entry["errors"][name].fail("not an error kind");
  }
  for (const auto& [name, count] : read_named_counts(entry["faults"], k_max_per_second))
    second.faults.emplace_back(fault_index(fault_names, name), static_cast<std::int32_t>(count));
  if (entry["latency_ms"].present()) {
    const Cursor buckets = entry["latency_ms"]["buckets"];
    buckets.require();
    if (auto latency = SparseHistogram::from_buckets(read_buckets(buckets)))
      second.latency = std::move(*latency);
    else
      buckets.fail("not the buckets of a per-second histogram");
  }
  return second;
}

// "throughput", "errors", "faults".
void read_throughput(const Cursor& root, RunStats::Parts& parts) {
  const Cursor throughput = root["throughput"];
  const Cursor per_second = throughput["per_second"];
  for (std::size_t i = 0; per_second.is_array() && i < per_second.size() && i <= RunStats::k_max_seconds; ++i) {
    const Cursor entry = per_second.at(i);
    if (entry["second"].integer_or(-1) != static_cast<std::int64_t>(i)) {
      entry["second"].fail("expected " + std::to_string(i) + " (one entry per second, in order)");
      break;
    }
    parts.seconds.push_back(read_second(entry, parts.fault_names));
  }
  // span_ms is the real span; reports without it give whole seconds.
  const double span_ms = number_or_null(throughput["span_ms"], -1, 0);
  parts.span_us = span_ms >= 0 ? std::llround(std::min(span_ms, 1e3 * RunStats::k_max_seconds) * 1000)
                               : integer_or_null(throughput["span_s"], 0, 0, RunStats::k_max_seconds) * 1000000;

  for (const auto& [name, count] : read_named_counts(root["errors"])) {
    if (const auto kind = transport_error_from_name(name)) {
      parts.transport_errors[static_cast<std::size_t>(*kind)] = count;
    } else if (name.rfind("http_", 0) == 0 && name.size() == 8 && std::isdigit(static_cast<unsigned char>(name[5]))) {
      parts.statuses[std::stoi(name.substr(5))] = count;
    } else {
      root["errors"][name].fail("not an error kind");
    }
  }
  for (const auto& [name, count] : read_named_counts(root["faults"])) parts.faults[name] = count;
}

// "failing_calls", "findings", "probes".
void read_lists(const Cursor& root, RunStats::Parts& parts) {
  const Cursor failing = root["failing_calls"];
  for (std::size_t i = 0; failing.is_array() && i < failing.size(); ++i) {
    const Cursor call = failing.at(i);
    CallOutcome outcome;
    outcome.call_id = call["call_id"].string_or("");
    outcome.failure_count = call["failures"].integer_or(1, 1, k_max_count);
    outcome.vendor = string_or_null(call["vendor"]);
    outcome.first_event = string_or_null(call["first_event"]);
    outcome.last_event = string_or_null(call["last_event"]);
    outcome.first_sent_us = integer_or_null(call["first_sent_us"], -1, -1, INT64_MAX);
    outcome.last_answer_us = integer_or_null(call["last_answer_us"], 0, 0, INT64_MAX);
    if (const std::string first = call["first"].string_or(""); !first.empty()) outcome.failures.push_back(first);
    parts.calls.push_back(std::move(outcome));
  }
  const Cursor findings = root["findings"];
  for (std::size_t i = 0; findings.is_array() && i < findings.size(); ++i)
    parts.findings.push_back(vendors::Finding{findings.at(i)["call_id"].string_or(""),
                                              findings.at(i)["event"].string_or(""),
                                              findings.at(i)["message"].string_or("")});
  const Cursor probes = root["probes"];
  for (std::size_t i = 0; probes.is_array() && i < probes.size(); ++i) parts.probes.push_back(read_probe(probes.at(i)));
}

}  // namespace

ReadReport ReportReader::read_text(const std::string& text, const std::string& source) {
  const auto parsed = util::parse_json(text, util::k_report_json);
  if (!parsed.ok()) {
    const std::string at = parsed.failure->pointer.empty() ? "" : parsed.failure->pointer + ": ";
    throw ReportError(source + ": " + at + parsed.failure->message());
  }
  util::Problems problems;
  const Cursor root(&parsed.value, "", problems);
  // The document and its sections must be objects before anything is read from them.
  if (!root.is_object()) root.fail_expected("a JSON report (an object)");
  for (const char* section : {"run", "totals", "latency_ms", "lateness_ms", "throughput"}) {
    const Cursor c = root[section];
    if (!c.exists())
      c.require();
    else if (!c.is_object())
      c.fail_expected("an object");
  }
  if (!problems.empty()) fail(problems, source);
  root["version"].require();
  if (const auto version = root["version"].string(); version && *version != k_version)
    root["version"].fail("a report of callhook " + *version + "; this is " + k_version);

  ReadReport out{RunStats(), {}, {}, 0};
  read_run_info(root, out);
  RunStats::Parts parts;
  read_counts_and_latency(root, parts);
  read_throughput(root, parts);
  read_lists(root, parts);
  const Cursor expectations = root["expectations"];
  for (std::size_t i = 0; expectations.is_array() && i < expectations.size(); ++i)
    out.expect.emplace_back(expectations.at(i)["name"].string_or(""), number_or_null(expectations.at(i)["limit"], 0));

  if (!problems.empty()) fail(problems, source);
  out.stats = RunStats(RunStats::Options{.keep_call_ids = false}, std::move(parts));
  return out;
}

ReadReport ReportReader::read_file(const std::string& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) throw ReportError(path + ": no such file");
  if (const auto size = std::filesystem::file_size(path, error); !error)
    if (const auto failure = util::size_failure(size, util::k_report_json))
      throw ReportError(path + ": " + failure->message());
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) throw ReportError(path + ": cannot read the file");
  return read_text(text.str(), path);
}

}  // namespace callhook::report
