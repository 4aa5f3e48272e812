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
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "delivery/transport.hpp"
#include "journal/records.hpp"
#include "report/histogram.hpp"
#include "vendors/vendor.hpp"

namespace callhook::report {

// Cancelled: the run was interrupted before the delivery could end otherwise.
// Rejected: a delivery a correct receiver must refuse (sent with a
// bad_signature or stale_timestamp fault) was refused with a 4xx; it ends
// there, neither failed nor retried ("rejected" in the journal, counted
// rejected_as_expected).
enum class Final { Delivered, Rejected, Failed, Dropped, Cancelled };
// "delivered", "rejected", "failed", "dropped", "cancelled".
const char* final_name(Final result);

// What a correct receiver must do with a delivery, from its faults.
enum class MustRefuse : std::uint8_t { No, BadSignature, StaleTimestamp };
MustRefuse must_refuse(const std::vector<std::string>& faults);

struct AttemptEvent {
  std::string event;
  std::string call_id;
  int attempt = 1;  // 1-based
  int status = 0;
  delivery::ErrorKind error = delivery::ErrorKind::None;
  bool too_slow = false;  // a 2xx after the vendor's timeout
  bool rejected = false;  // a 4xx to a delivery a correct receiver must refuse: not an error
  bool will_retry = false;
  std::int64_t retry_after_clamped_ms = -1;  // a Retry-After over the cap, as asked; -1 otherwise
  std::int64_t latency_us = 0;
  std::int64_t lateness_us = 0;  // actual send time minus planned send time (wall)
  std::int64_t sent_at_us = 0;   // since the run started (wall)
};

struct FinalEvent {
  std::string event;
  std::string call_id;
  std::string vendor;          // the stream's vendor ("" when unknown), for JUnit's case names
  std::uint64_t delivery = 0;  // planned delivery number
  Final result = Final::Delivered;
  int attempts = 0;
  bool out_of_order = false;        // vendors/lifecycle.hpp: delivered after a later one of its call's lifecycle
  std::vector<std::string> faults;  // a delivered one with bad_signature or stale_timestamp counts as accepted_*
  std::string reason;               // why it failed: "503 after 3 attempts", "timeout", ...
};

// One state probe of one call: the request, the last answer and the verdict
// (the journal's probe record, journal/records.hpp).
using ProbeResult = journal::ProbeRecord;
using journal::k_probe_answer_bytes;

// One field of the count tables: its JSON key and, when the text summary's
// table shows it, its column header (nullptr otherwise); some columns only
// when the run's total is not 0.
struct CountField {
  const char* key;
  const char* column;
  bool column_when_used = false;
};

// Per event type (and for the whole run).
struct Counts {
  std::int64_t planned = 0;
  std::int64_t sent = 0;  // attempts
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t dropped = 0;
  std::int64_t cancelled = 0;            // the run was interrupted first
  std::int64_t retried = 0;              // attempts beyond the first
  std::int64_t too_slow = 0;             // 2xx answers after the vendor's timeout
  std::int64_t retry_after_clamped = 0;  // answers whose Retry-After asked more than retry_after_max_ms
  std::int64_t out_of_order = 0;
  std::int64_t rejected_as_expected = 0;      // deliveries refused as they had to be (Final::Rejected)
  std::int64_t accepted_bad_signature = 0;    // delivered although their signature was wrong: a finding
  std::int64_t accepted_stale_timestamp = 0;  // delivered although their timestamp was stale: a finding

  bool operator==(const Counts&) const = default;

  // The one list of the counts: JSON report (writer and reader), merging,
  // the text table's columns. f(CountField, a.member, b.member...).
  template <class F, class... C>
  static void fields(F&& f, C&... c) {
    f(CountField{"planned", "planned"}, c.planned...);
    f(CountField{"sent", "sent"}, c.sent...);
    f(CountField{"delivered", "delivered"}, c.delivered...);
    f(CountField{"rejected_as_expected", "rejected", true}, c.rejected_as_expected...);
    f(CountField{"failed", "failed"}, c.failed...);
    f(CountField{"dropped", "dropped"}, c.dropped...);
    f(CountField{"cancelled", nullptr}, c.cancelled...);
    f(CountField{"retried", "retried"}, c.retried...);
    f(CountField{"too_slow", nullptr}, c.too_slow...);
    f(CountField{"retry_after_clamped", nullptr}, c.retry_after_clamped...);
    f(CountField{"out_of_order", "out-of-order"}, c.out_of_order...);
    f(CountField{"accepted_bad_signature", nullptr}, c.accepted_bad_signature...);
    f(CountField{"accepted_stale_timestamp", nullptr}, c.accepted_stale_timestamp...);
  }

  // Every planned delivery ended exactly once.
  bool accounted() const { return unaccounted() == 0; }
  // planned - (delivered + rejected_as_expected + failed + dropped + cancelled).
  std::int64_t unaccounted() const {
    return planned - (delivered + rejected_as_expected + failed + dropped + cancelled);
  }
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
  std::int64_t retries = 0;   // attempts beyond the first
  std::int64_t rejected = 0;  // refusals of deliveries a correct receiver must refuse (not errors)
  std::array<std::int32_t, k_attempt_error_kinds> errors{};
  SparseHistogram latency;  // us, answered attempts and timeouts
  // Fault name index (RunStats::fault_names()) -> deliveries it touched that
  // ended in this second (at their last attempt; drops when they were decided).
  std::vector<std::pair<std::uint16_t, std::int32_t>> faults;

  // The per-second counters (errors, faults and latency aside), as the JSON report names them.
  template <class F, class... S>
  static void fields(F&& f, S&... s) {
    f(CountField{"planned", nullptr}, s.planned...);
    f(CountField{"sent", nullptr}, s.sent...);
    f(CountField{"delivered", nullptr}, s.delivered...);
    f(CountField{"retries", nullptr}, s.retries...);
    f(CountField{"rejected", nullptr}, s.rejected...);
  }
};

// f(field, a.member, b.member...) for every count of Counts or Second.
template <class F, class First, class... Rest>
void for_each_count(F&& f, First& first, Rest&... rest) {
  std::remove_const_t<First>::fields(f, first, rest...);
}

// A call as JUnit shows it: passing when it has no failures (failed
// deliveries, findings, failed probes).
struct CallOutcome {
  std::string call_id;
  std::vector<std::string> failures;  // at most k_max_call_failures kept
  std::int64_t failure_count = 0;     // all of them
  // What JUnit names and times the call by: its vendor, the events of its
  // first and last deliveries to end, and the wall span of its attempts.
  std::string vendor;
  std::string first_event;
  std::string last_event;
  std::int64_t first_sent_us = -1;  // since the run started; -1 before any attempt
  std::int64_t last_answer_us = 0;
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

  // Everything a RunStats measured, to rebuild one from a saved report
  // (report/report_reader.hpp). Second::faults index fault_names.
  struct Parts {
    Counts totals;
    std::vector<EventStats> events;
    Histogram latency;
    Histogram lateness;
    std::vector<Second> seconds;
    std::vector<std::string> fault_names;
    std::int64_t span_us = 0;                        // from the start to the last answer
    std::array<std::int64_t, 6> transport_errors{};  // by delivery::ErrorKind
    std::map<int, std::int64_t> statuses;            // non-2xx statuses
    std::map<std::string, std::int64_t> faults;
    std::vector<vendors::Finding> findings;
    std::int64_t findings_total = 0;
    std::vector<ProbeResult> probes;
    std::int64_t probes_total = 0;
    std::int64_t probe_failures = 0;
    std::vector<CallOutcome> calls;  // failing ones
    std::int64_t failing_calls = 0;
  };

  RunStats();
  explicit RunStats(Options options);
  // A RunStats holding `parts`, as if it had measured them.
  RunStats(Options options, Parts parts);
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
  // Attempts (or completed deliveries) per second over the run's real span,
  // from the start to the last answer (a 10 ms run of 84 attempts: 8400/s).
  double mean_sent_per_s() const;
  double mean_delivered_per_s() const;
  // The run's span in seconds: from the start to the last answer (at least 1 ms).
  double span_s() const;
  // Whole seconds from the start to the last answer, at least 1.
  std::int64_t span_seconds() const { return static_cast<std::int64_t>(whole_seconds()); }
  // The busiest whole wall second's count, never below the mean.
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
  // planned - (delivered + rejected_as_expected + failed + dropped + cancelled); 0 when every delivery ended once.
  std::int64_t unaccounted() const { return m_totals.unaccounted(); }
  // Calls in the order first seen: all of them with keep_call_ids, otherwise
  // only failing ones.
  const std::deque<CallOutcome>& calls() const { return m_calls; }
  // Calls with at least one failure among calls(), and in all.
  std::int64_t failing_calls() const { return m_failing_calls; }
  // Failures of calls left out because k_max_failing_calls was reached
  // (only without keep_call_ids).
  std::int64_t failures_not_kept() const { return m_failures_not_kept; }

 private:
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

// A failed probe as its call's failure: "probe URL: /active: expected false, got true".
std::string probe_failure_text(const ProbeResult& probe);

// The journal's last line for these totals.
journal::EndRecord end_record(const Counts& totals, bool interrupted);

// The run's totals (the same as stats.totals()).
inline const Counts& totals(const RunStats& stats) { return stats.totals(); }

}  // namespace callhook::report
