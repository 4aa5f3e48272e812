#pragma once
// Everything a run measures, fed by the engine as attempts and deliveries
// end, and summarised once at the end (or many times for the progress line).
// Memory stays fixed per event type, except for the per-second throughput
// (grows with run seconds) and, when keep_call_ids is on, one record per call
// (about 100 bytes each) so that JUnit can list every call as a test case.
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "delivery/transport.hpp"
#include "report/histogram.hpp"
#include "vendors/vendor.hpp"

namespace callhook::report {

// Cancelled: the run was interrupted before the delivery could end otherwise.
enum class Final { Delivered, Failed, Dropped, Cancelled };

struct AttemptEvent {
  std::string event;
  std::string call_id;
  int attempt = 1;  // 1-based
  int status = 0;
  delivery::ErrorKind error = delivery::ErrorKind::None;
  bool too_slow = false;  // a 2xx after the vendor's timeout
  bool will_retry = false;
  std::int64_t latency_us = 0;
  std::int64_t lateness_us = 0;  // actual send time minus planned send time (wall)
  std::int64_t sent_at_us = 0;   // since the run started (wall)
};

struct FinalEvent {
  std::string event;
  std::string call_id;
  std::uint64_t delivery = 0;  // planned delivery number
  Final result = Final::Delivered;
  int attempts = 0;
  bool out_of_order = false;  // vendors/lifecycle.hpp: delivered after a later one of its call's lifecycle
  std::vector<std::string> faults;
  std::string reason;  // why it failed: "503 after 3 attempts", "timeout", ...
};

// One state probe of one call: the request, the last answer and the verdict.
struct ProbeResult {
  std::string call_id;
  std::string url;
  bool passed = false;
  std::string message;  // one line: "/active: expected false, got true", "status 500", "timeout"
  std::string method = "GET";
  int status = 0;      // of the last answer; 0 when none came
  std::string error;   // "" or the transport error kind of the last request
  std::string answer;  // the last answer's body, at most k_probe_answer_bytes
  // The first mismatch ("" when the probe passed or failed before judging):
  std::string pointer;               // where in the answer, a JSON pointer
  std::string expected;              // what the probe expected there, as the probe says it
  std::string got;                   // what the answer held there ("missing" when absent)
  int polls = 1;                     // requests made (until_ms polls until a match or the deadline)
  std::int64_t wall_offset_us = 0;   // the first request's send time since the run started
  std::int64_t wall_latency_us = 0;  // from the first request to the last answer
};

// Probe answers are kept (journal, reports) up to this many bytes.
constexpr std::size_t k_probe_answer_bytes = 64 * 1024;

// Per event type (and for the whole run).
struct Counts {
  std::int64_t planned = 0;
  std::int64_t sent = 0;  // attempts
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t dropped = 0;
  std::int64_t cancelled = 0;  // the run was interrupted first
  std::int64_t retried = 0;    // attempts beyond the first
  std::int64_t too_slow = 0;   // 2xx answers after the vendor's timeout
  std::int64_t out_of_order = 0;
  // Every planned delivery ended exactly once.
  bool accounted() const { return planned == delivered + failed + dropped + cancelled; }
  // Adds another part's counts.
  void add(const Counts& other);
};

struct EventStats {
  std::string name;
  Counts counts;
  Histogram latency;   // us, answered attempts and timeouts
  Histogram lateness;  // us, every attempt
};

// Why an attempt did not deliver, as counted per second.
enum class AttemptError : std::uint8_t {
  Connect,
  Timeout,
  Closed,
  Tls,
  Protocol,
  Http4xx,
  Http5xx,
  TooSlow,
  OtherStatus
};
constexpr std::size_t k_attempt_error_kinds = 9;
// "connect", "timeout", "closed", "tls", "protocol", "http_4xx", "http_5xx", "too_slow", "http_other".
const char* attempt_error_name(AttemptError kind);

// One wall second of the run (attempts by their send time, deliveries by
// their answer time).
struct Second {
  std::int64_t planned = 0;  // first attempts planned to be sent in this second (finite speeds)
  std::int64_t sent = 0;
  std::int64_t delivered = 0;
  std::int64_t retries = 0;  // attempts beyond the first
  std::array<std::int32_t, k_attempt_error_kinds> errors{};
  SparseHistogram latency;  // us, answered attempts and timeouts
  // Fault name index (RunStats::fault_names()) -> deliveries it touched that
  // ended in this second (at their last attempt; drops when they were decided).
  std::vector<std::pair<std::uint16_t, std::int32_t>> faults;
};

// A call as JUnit shows it: passing when it has no failures (failed
// deliveries, findings, failed probes).
struct CallOutcome {
  std::string call_id;
  std::vector<std::string> failures;  // at most k_max_call_failures kept
  std::int64_t failure_count = 0;     // all of them
};

class RunStats {
 public:
  struct Options {
    // One record per call, for JUnit; off for long load runs, which then
    // keep only failing calls (up to k_max_failing_calls).
    bool keep_call_ids = true;
    std::size_t max_findings = 1000;
    std::size_t max_probes = 1000;
  };
  static constexpr std::size_t k_max_call_failures = 20;
  static constexpr std::size_t k_max_failing_calls = 10000;
  static constexpr std::size_t k_max_seconds = 7 * 24 * 3600;

  RunStats();
  explicit RunStats(Options options);
  RunStats(const RunStats&) = delete;
  RunStats& operator=(const RunStats&) = delete;
  RunStats(RunStats&&) = default;
  RunStats& operator=(RunStats&&) = default;

  // A delivery was planned (it must later end in exactly one on_final).
  void on_planned(const std::string& event);
  // An HTTP try ended: counts, latency, lateness, errors, throughput.
  void on_attempt(const AttemptEvent& attempt);
  // A planned delivery ended as delivered, failed, dropped or cancelled.
  void on_final(const FinalEvent& final_event);
  // Something the real vendor would reject; fails the finding's call.
  void on_finding(const vendors::Finding& finding);
  // A state probe ran; a failed one fails its call.
  void on_probe(const ProbeResult& probe);
  // For the progress line's active calls.
  void on_call_started();
  void on_call_ended();

  // Adds another part of the same run (another thread's calls, another
  // shard's report): counts add, histograms merge bucket by bucket, and the
  // per-second series line up with `other` starting shift_us after this one
  // (rounded to whole seconds). Lists (findings, probes, calls) are appended
  // within their limits.
  void merge(const RunStats& other, std::int64_t shift_us = 0);

  // Live numbers for the progress line. in_flight_hint: deliveries planned
  // and not yet ended. Cheap: p99 is recomputed only after 1% more samples.
  struct Live {
    std::int64_t active_calls, sent, delivered, failed, dropped, in_flight_hint;
    double p99_latency_ms;
    std::int64_t calls_ended;
  };
  Live live() const;

  const Options& options() const { return m_options; }
  const Counts& totals() const { return m_totals; }
  // In the order event types were first seen.
  const std::vector<EventStats>& events() const { return m_events; }
  const Histogram& latency() const { return m_latency; }
  const Histogram& lateness() const { return m_lateness; }
  // Index = wall second since the run started.
  const std::vector<Second>& throughput() const { return m_seconds; }
  // Attempts (or completed deliveries) per wall second, over the whole
  // seconds from the start to the last answer: the seconds the peak is taken
  // from, so the peak is never below the mean.
  double mean_sent_per_s() const;
  // Those whole seconds: from the start to the last answer, at least 1.
  std::int64_t span_seconds() const { return static_cast<std::int64_t>(whole_seconds()); }
  double mean_delivered_per_s() const;
  std::int64_t peak_sent_per_s() const;
  std::int64_t peak_delivered_per_s() const;
  // Attempts that did not deliver, by kind: "connect", "timeout", ... then
  // "http_404", "http_503", ... (exact statuses, never classes), with counts.
  std::vector<std::pair<std::string, std::int64_t>> errors() const;
  std::int64_t error_total() const;
  // The first failure reason of a failed delivery whose last attempt failed
  // to connect ("connect"), or in the TLS handshake ("tls"); "" when none.
  const std::string& first_reason(delivery::ErrorKind kind) const;
  // Names of the faults in the per-second series, by index.
  const std::vector<std::string>& fault_names() const { return m_fault_names; }
  // Fault name ("duplicate", "delay", ...) -> deliveries it touched.
  const std::map<std::string, std::int64_t>& faults() const { return m_faults; }
  const std::vector<vendors::Finding>& findings() const { return m_findings; }
  std::int64_t findings_total() const { return m_findings_total; }
  const std::vector<ProbeResult>& probes() const { return m_probes; }
  std::int64_t probes_total() const { return m_probes_total; }
  std::int64_t probe_failures() const { return m_probe_failures; }
  std::int64_t calls_started() const { return m_calls_started; }
  std::int64_t calls_ended() const { return m_calls_ended; }
  // planned - (delivered + failed + dropped); 0 when every delivery ended once.
  std::int64_t unaccounted() const;
  // Calls in the order first seen: all of them with keep_call_ids, otherwise
  // only failing ones.
  const std::deque<CallOutcome>& calls() const { return m_calls; }
  // Calls with at least one failure among calls(), and in all.
  std::int64_t failing_calls() const { return m_failing_calls; }
  // Failures of calls left out because k_max_failing_calls was reached
  // (only without keep_call_ids).
  std::int64_t failures_not_kept() const { return m_failures_not_kept; }

 private:
  friend class ReportReader;  // rebuilds a RunStats from a JSON report (report/report_reader.hpp)

  EventStats& event_stats(const std::string& name);
  std::uint16_t fault_index(const std::string& name);
  // Whole wall seconds from the start to the last answer (at least 1).
  double whole_seconds() const;
  // The second (since the run started) holding `at_us`, added on demand.
  Second& second_at(std::int64_t at_us);
  // The call's record, created when allowed; nullptr otherwise.
  CallOutcome* call_record(const std::string& call_id, bool failing);
  void add_failure(const std::string& call_id, std::string reason);

  Options m_options;
  Counts m_totals;
  std::vector<EventStats> m_events;
  std::unordered_map<std::string, std::size_t> m_event_index;
  std::size_t m_last_event = 0;
  Histogram m_latency;
  Histogram m_lateness;
  std::vector<Second> m_seconds;
  std::int64_t m_last_answer_us = 0;
  std::int64_t m_last_attempt_us = 0;  // the latest attempt's send time seen
  std::vector<std::string> m_fault_names;
  std::map<delivery::ErrorKind, std::string> m_first_reasons;
  std::int64_t m_failing_calls = 0;
  std::array<std::int64_t, 6> m_transport_errors{};  // by delivery::ErrorKind
  std::map<int, std::int64_t> m_statuses;            // non-2xx statuses
  std::map<std::string, std::int64_t> m_faults;
  std::vector<vendors::Finding> m_findings;
  std::int64_t m_findings_total = 0;
  std::vector<ProbeResult> m_probes;
  std::int64_t m_probes_total = 0;
  std::int64_t m_probe_failures = 0;
  std::int64_t m_calls_started = 0;
  std::int64_t m_calls_ended = 0;
  // A deque keeps each id in place, so the index can view it.
  std::deque<CallOutcome> m_calls;
  std::unordered_map<std::string_view, std::size_t> m_call_index;
  std::int64_t m_failures_not_kept = 0;
  // The progress line's p99, refreshed when the sample count grew by 1%.
  mutable double m_live_p99_ms = 0;
  mutable std::int64_t m_live_p99_count = 0;
};

// The run's totals (the same as stats.totals()).
inline const Counts& totals(const RunStats& stats) { return stats.totals(); }

}  // namespace callhook::report
