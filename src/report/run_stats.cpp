#include "report/run_stats.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "scenario/fault_names.hpp"

namespace callhook::report {
namespace {

// Adds `count` to the entry of `index` in a per-second fault list.
void add_count(std::vector<std::pair<std::uint16_t, std::int32_t>>& list, std::uint16_t index, std::int32_t count) {
  auto entry = std::find_if(list.begin(), list.end(), [&](const auto& e) { return e.first == index; });
  if (entry == list.end())
    list.emplace_back(index, count);
  else
    entry->second += count;
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

AttemptError error_kind_of(const AttemptEvent& attempt) {
  switch (attempt.error) {
    case delivery::ErrorKind::Connect: return AttemptError::Connect;
    case delivery::ErrorKind::Timeout: return AttemptError::Timeout;
    case delivery::ErrorKind::Closed: return AttemptError::Closed;
    case delivery::ErrorKind::Tls: return AttemptError::Tls;
    case delivery::ErrorKind::Protocol: return AttemptError::Protocol;
    case delivery::ErrorKind::None: break;
  }
  if (attempt.too_slow) return AttemptError::TooSlow;
  if (attempt.status >= 400 && attempt.status < 500) return AttemptError::Http4xx;
  if (attempt.status >= 500 && attempt.status < 600) return AttemptError::Http5xx;
  return AttemptError::OtherStatus;
}

}  // namespace

void Counts::add(const Counts& other) {
  for_each_count([](CountField, std::int64_t& sum, const std::int64_t& part) { sum += part; }, *this, other);
}

const char* final_name(Final result) {
  switch (result) {
    case Final::Delivered: return "delivered";
    case Final::Rejected: return "rejected";
    case Final::Failed: return "failed";
    case Final::Dropped: return "dropped";
    case Final::Cancelled: return "cancelled";
  }
  return "failed";
}

MustRefuse must_refuse(const std::vector<std::string>& faults) {
  MustRefuse out = MustRefuse::No;
  for (const std::string& fault : faults) {
    const auto kind = scenario::fault_of(fault);
    if (kind == scenario::Fault::BadSignature) return MustRefuse::BadSignature;
    if (kind == scenario::Fault::StaleTimestamp) out = MustRefuse::StaleTimestamp;
  }
  return out;
}

const char* attempt_error_name(AttemptError kind) {
  static constexpr const char* k_names[k_attempt_error_kinds] = {
      "connect", "timeout", "closed", "tls", "protocol", "http_4xx", "http_5xx", "too_slow", "http_other"};
  return k_names[static_cast<std::size_t>(kind)];
}

RunStats::RunStats() : RunStats(Options{}) {}

RunStats::RunStats(Options options) : m_options(options) {}

RunStats::RunStats(Options options, Parts parts) : m_options(options) {
  m_totals = parts.totals;
  for (EventStats& event : parts.events) event_stats(event.name) = std::move(event);
  m_latency = std::move(parts.latency);
  m_lateness = std::move(parts.lateness);
  m_seconds = std::move(parts.seconds);
  m_fault_names = std::move(parts.fault_names);
  m_last_answer_us = parts.span_us;
  m_last_attempt_us = parts.span_us;
  m_transport_errors = parts.transport_errors;
  m_statuses = std::move(parts.statuses);
  m_faults = std::move(parts.faults);
  m_findings = std::move(parts.findings);
  m_findings_total = parts.findings_total;
  m_probes = std::move(parts.probes);
  m_probes_total = parts.probes_total;
  m_probe_failures = parts.probe_failures;
  for (CallOutcome& call : parts.calls) {
    m_calls.push_back(std::move(call));
    m_call_index.emplace(m_calls.back().call_id, m_calls.size() - 1);
  }
  m_failing_calls = parts.failing_calls;
}

EventStats& RunStats::event_stats(const std::string& name) {
  if (m_last_event < m_events.size() && m_events[m_last_event].name == name) return m_events[m_last_event];
  auto [it, added] = m_event_index.try_emplace(name, m_events.size());
  if (added) {
    m_events.emplace_back();
    m_events.back().name = name;
  }
  m_last_event = it->second;
  return m_events[m_last_event];
}

std::uint16_t RunStats::fault_index(const std::string& name) {
  const auto found = std::find(m_fault_names.begin(), m_fault_names.end(), name);
  const auto index = static_cast<std::uint16_t>(found - m_fault_names.begin());
  if (found == m_fault_names.end()) m_fault_names.push_back(name);
  return index;
}

Second& RunStats::second_at(std::int64_t at_us) {
  const auto second =
      static_cast<std::size_t>(std::clamp<std::int64_t>(at_us / 1000000, 0, static_cast<std::int64_t>(k_max_seconds)));
  if (second >= m_seconds.size()) m_seconds.resize(second + 1);
  return m_seconds[second];
}

CallOutcome* RunStats::call_record(const std::string& call_id, bool failing) {
  if (auto it = m_call_index.find(call_id); it != m_call_index.end()) return &m_calls[it->second];
  const bool keep = m_options.keep_call_ids || (failing && m_calls.size() < k_max_failing_calls);
  if (!keep) return nullptr;
  CallOutcome call;
  call.call_id = call_id;
  m_calls.push_back(std::move(call));
  m_call_index.emplace(m_calls.back().call_id, m_calls.size() - 1);
  return &m_calls.back();
}

void RunStats::add_failure(const std::string& call_id, std::string reason) {
  CallOutcome* call = call_record(call_id, true);
  if (call == nullptr) {
    ++m_failures_not_kept;
    ++m_failing_calls;  // may count a call twice once the list is full; an upper bound then
    return;
  }
  if (call->failure_count == 0) ++m_failing_calls;
  if (call->failures.size() < k_max_call_failures) call->failures.push_back(std::move(reason));
  ++call->failure_count;
}

void RunStats::on_planned(const std::string& event) {
  ++event_stats(event).counts.planned;
  ++m_totals.planned;
}

void RunStats::on_attempt(const AttemptEvent& attempt) {
  EventStats& stats = event_stats(attempt.event);
  const bool retry = attempt.attempt > 1;
  for (Counts* counts : {&stats.counts, &m_totals}) {
    ++counts->sent;
    if (retry) ++counts->retried;
    if (attempt.too_slow) ++counts->too_slow;
    if (attempt.retry_after_clamped_ms >= 0) ++counts->retry_after_clamped;
  }

  // A timeout's latency is the time waited, so it counts; a refused or reset
  // connection has no response time to speak of.
  const bool answered = attempt.error == delivery::ErrorKind::None;
  if (answered || attempt.error == delivery::ErrorKind::Timeout) {
    stats.latency.record(attempt.latency_us);
    m_latency.record(attempt.latency_us);
  }
  stats.lateness.record(attempt.lateness_us);
  m_lateness.record(attempt.lateness_us);

  if (!answered) {
    const auto kind = static_cast<std::size_t>(attempt.error);
    if (kind < m_transport_errors.size()) ++m_transport_errors[kind];
  } else if (!is_2xx(attempt.status) && attempt.status != 0 && !attempt.rejected) {
    ++m_statuses[attempt.status];
  }

  Second& sent_in = second_at(attempt.sent_at_us);
  ++sent_in.sent;
  if (retry) ++sent_in.retries;
  if (answered || attempt.error == delivery::ErrorKind::Timeout) sent_in.latency.record(attempt.latency_us);
  if (!retry && attempt.lateness_us > 0)
    ++second_at(attempt.sent_at_us - attempt.lateness_us).planned;
  else if (!retry)
    ++sent_in.planned;
  m_last_attempt_us = std::max(m_last_attempt_us, attempt.sent_at_us);

  const std::int64_t answered_at = attempt.sent_at_us + std::max<std::int64_t>(attempt.latency_us, 0);
  m_last_answer_us = std::max(m_last_answer_us, answered_at);
  if (m_options.keep_call_ids) {
    if (CallOutcome* call = call_record(attempt.call_id, false)) {
      if (call->first_sent_us < 0 || attempt.sent_at_us < call->first_sent_us) call->first_sent_us = attempt.sent_at_us;
      call->last_answer_us = std::max(call->last_answer_us, answered_at);
    }
  }
  const bool delivered = answered && is_2xx(attempt.status) && !attempt.too_slow;
  if (delivered)
    ++second_at(answered_at).delivered;
  else if (attempt.rejected)
    ++second_at(answered_at).rejected;
  else
    ++second_at(attempt.sent_at_us).errors[static_cast<std::size_t>(error_kind_of(attempt))];
}

void RunStats::on_final(const FinalEvent& final_event) {
  EventStats& stats = event_stats(final_event.event);
  const MustRefuse refuse = final_event.result == Final::Delivered ? must_refuse(final_event.faults) : MustRefuse::No;
  for (Counts* counts : {&stats.counts, &m_totals}) {
    switch (final_event.result) {
      case Final::Delivered: ++counts->delivered; break;
      case Final::Rejected: ++counts->rejected_as_expected; break;
      case Final::Failed: ++counts->failed; break;
      case Final::Dropped: ++counts->dropped; break;
      case Final::Cancelled: ++counts->cancelled; break;
    }
    if (final_event.out_of_order) ++counts->out_of_order;
    if (refuse == MustRefuse::BadSignature) ++counts->accepted_bad_signature;
    if (refuse == MustRefuse::StaleTimestamp) ++counts->accepted_stale_timestamp;
  }
  for (const std::string& fault : final_event.faults) {
    const std::string name(scenario::fault_entry_name(fault));
    ++m_faults[name];
    // Timed at the latest attempt seen: when the delivery ended, near enough.
    add_count(second_at(m_last_attempt_us).faults, fault_index(name), 1);
  }

  if (final_event.result == Final::Failed) {
    for (const auto kind : {delivery::ErrorKind::Connect, delivery::ErrorKind::Tls}) {
      if (final_event.reason.rfind(delivery::error_name(kind), 0) == 0)
        m_first_reasons.try_emplace(kind, final_event.reason);
    }
    const std::string why = final_event.reason.empty()
                                ? "failed after " + std::to_string(final_event.attempts) + " attempts"
                                : final_event.reason;
    add_failure(final_event.call_id,
                "delivery #" + std::to_string(final_event.delivery) + " " + final_event.event + ": " + why);
  }
  if (CallOutcome* call = m_options.keep_call_ids || final_event.result == Final::Failed
                              ? call_record(final_event.call_id, final_event.result == Final::Failed)
                              : nullptr) {
    if (call->vendor.empty()) call->vendor = final_event.vendor;
    if (call->first_event.empty()) call->first_event = final_event.event;
    call->last_event = final_event.event;
  }
}

void RunStats::on_finding(const vendors::Finding& finding) {
  ++m_findings_total;
  if (m_findings.size() < m_options.max_findings) m_findings.push_back(finding);
  add_failure(finding.call_id, "finding (" + finding.event + "): " + finding.message);
}

void RunStats::on_probe(const ProbeResult& probe) {
  ++m_probes_total;
  if (m_probes.size() < m_options.max_probes) m_probes.push_back(probe);
  if (probe.passed) {
    if (m_options.keep_call_ids) call_record(probe.call_id, false);
    return;
  }
  ++m_probe_failures;
  add_failure(probe.call_id, probe_failure_text(probe));
}

void RunStats::merge(const RunStats& other, std::int64_t shift_us) {
  m_totals.add(other.m_totals);
  for (const EventStats& event : other.m_events) {
    EventStats& mine = event_stats(event.name);
    mine.counts.add(event.counts);
    mine.latency.merge(event.latency);
    mine.lateness.merge(event.lateness);
  }
  m_latency.merge(other.m_latency);
  m_lateness.merge(other.m_lateness);

  const auto shift_s = static_cast<std::int64_t>(std::llround(static_cast<double>(shift_us) / 1e6));
  for (std::size_t i = 0; i < other.m_seconds.size(); ++i) {
    const Second& from = other.m_seconds[i];
    Second& to = second_at((static_cast<std::int64_t>(i) + shift_s) * 1000000);
    for_each_count([](CountField, std::int64_t& sum, const std::int64_t& part) { sum += part; }, to, from);
    for (std::size_t kind = 0; kind < k_attempt_error_kinds; ++kind) to.errors[kind] += from.errors[kind];
    to.latency.merge(from.latency);
    for (const auto& [index, count] : from.faults) add_count(to.faults, fault_index(other.m_fault_names[index]), count);
  }
  if (other.m_totals.sent > 0 || !other.m_seconds.empty()) {
    m_last_answer_us = std::max(m_last_answer_us, other.m_last_answer_us + shift_s * 1000000);
    m_last_attempt_us = std::max(m_last_attempt_us, other.m_last_attempt_us + shift_s * 1000000);
  }

  for (const auto& [kind, reason] : other.m_first_reasons) m_first_reasons.try_emplace(kind, reason);
  for (std::size_t kind = 0; kind < m_transport_errors.size(); ++kind)
    m_transport_errors[kind] += other.m_transport_errors[kind];
  for (const auto& [status, count] : other.m_statuses) m_statuses[status] += count;
  for (const auto& [name, count] : other.m_faults) m_faults[name] += count;

  for (const vendors::Finding& finding : other.m_findings)
    if (m_findings.size() < m_options.max_findings) m_findings.push_back(finding);
  m_findings_total += other.m_findings_total;
  for (const ProbeResult& probe : other.m_probes)
    if (m_probes.size() < m_options.max_probes) m_probes.push_back(probe);
  m_probes_total += other.m_probes_total;
  m_probe_failures += other.m_probe_failures;
  m_calls_started += other.m_calls_started;
  m_calls_ended += other.m_calls_ended;

  // Calls belong to one part each, so their records are appended; a call
  // seen in both (not expected) keeps one record.
  m_failing_calls += other.m_failing_calls;
  m_failures_not_kept += other.m_failures_not_kept;
  for (const CallOutcome& call : other.m_calls) {
    const bool failing = call.failure_count > 0;
    CallOutcome* mine = call_record(call.call_id, failing);
    if (mine == nullptr) {
      m_failures_not_kept += call.failure_count;
      continue;
    }
    if (mine->failure_count > 0 && failing) --m_failing_calls;  // counted by both parts
    if (mine->vendor.empty()) mine->vendor = call.vendor;
    if (mine->first_event.empty()) mine->first_event = call.first_event;
    if (!call.last_event.empty()) mine->last_event = call.last_event;
    if (call.first_sent_us >= 0) {
      const std::int64_t shift = shift_s * 1000000;
      if (mine->first_sent_us < 0 || call.first_sent_us + shift < mine->first_sent_us)
        mine->first_sent_us = call.first_sent_us + shift;
      mine->last_answer_us = std::max(mine->last_answer_us, call.last_answer_us + shift);
    }
    for (const std::string& failure : call.failures)
      if (mine->failures.size() < k_max_call_failures) mine->failures.push_back(failure);
    mine->failure_count += call.failure_count;
  }
}

void RunStats::on_call_started() { ++m_calls_started; }

void RunStats::on_call_ended() { ++m_calls_ended; }

RunStats::Live RunStats::live() const {
  const std::int64_t count = m_latency.count();
  if (count != m_live_p99_count && (count - m_live_p99_count) * 100 >= m_live_p99_count) {
    m_live_p99_ms = m_latency.percentile(99) / 1000.0;
    m_live_p99_count = count;
  }
  const std::int64_t ended =
      m_totals.delivered + m_totals.rejected_as_expected + m_totals.failed + m_totals.dropped + m_totals.cancelled;
  return Live{m_calls_started - m_calls_ended, m_totals.sent, m_totals.delivered, m_totals.failed, m_totals.dropped,
              m_totals.planned - ended,        m_live_p99_ms, m_calls_ended};
}

double RunStats::whole_seconds() const { return std::max(1.0, std::ceil(static_cast<double>(m_last_answer_us) / 1e6)); }

double RunStats::span_s() const {
  // A millisecond at least: a run that ended the moment it started still has a rate.
  return std::max(1e-3, static_cast<double>(m_last_answer_us) / 1e6);
}

double RunStats::mean_sent_per_s() const {
  if (m_totals.sent == 0) return 0.0;
  return static_cast<double>(m_totals.sent) / span_s();
}

double RunStats::mean_delivered_per_s() const {
  std::int64_t delivered = 0;
  for (const Second& second : m_seconds) delivered += second.delivered;
  if (delivered == 0) return 0.0;
  return static_cast<double>(delivered) / span_s();
}

namespace {

// The busiest whole wall second, and never below the mean: some window of
// one second holds at least the mean's share, even when no whole second
// does (a run shorter than a second, or a burst across a second's edge).
std::int64_t peak_of(const std::vector<Second>& seconds, std::int64_t Second::*count, double mean) {
  std::int64_t peak = 0;
  for (const Second& second : seconds) peak = std::max(peak, second.*count);
  return std::max(peak, static_cast<std::int64_t>(std::llround(mean)));
}

}  // namespace

std::int64_t RunStats::peak_sent_per_s() const { return peak_of(m_seconds, &Second::sent, mean_sent_per_s()); }

std::int64_t RunStats::peak_delivered_per_s() const {
  return peak_of(m_seconds, &Second::delivered, mean_delivered_per_s());
}

const std::string& RunStats::first_reason(delivery::ErrorKind kind) const {
  static const std::string k_none;
  const auto it = m_first_reasons.find(kind);
  return it == m_first_reasons.end() ? k_none : it->second;
}

std::int64_t RunStats::error_total() const {
  std::int64_t total = 0;
  for (const auto& [kind, count] : errors()) total += count;
  return total;
}

std::vector<std::pair<std::string, std::int64_t>> RunStats::errors() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::size_t kind = 1; kind < m_transport_errors.size(); ++kind) {
    if (m_transport_errors[kind] > 0) {
      out.emplace_back(delivery::error_name(static_cast<delivery::ErrorKind>(kind)), m_transport_errors[kind]);
    }
  }
  for (const auto& [status, count] : m_statuses) out.emplace_back("http_" + std::to_string(status), count);
  return out;
}

journal::EndRecord end_record(const Counts& totals, bool interrupted) {
  journal::EndRecord end;
  end.planned = totals.planned;
  end.delivered = totals.delivered;
  end.rejected_as_expected = totals.rejected_as_expected;
  end.failed = totals.failed;
  end.dropped = totals.dropped;
  end.cancelled = totals.cancelled;
  end.interrupted = interrupted;
  return end;
}

std::string probe_failure_text(const ProbeResult& probe) {
  std::string text = "probe " + probe.url + ": ";
  if (!probe.message.empty()) return text + probe.message;
  if (!probe.pointer.empty()) return text + probe.pointer + ": expected " + probe.expected + ", got " + probe.got;
  return text + "failed";
}

}  // namespace callhook::report
