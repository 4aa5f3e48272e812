#include "report/run_stats.hpp"

#include <algorithm>

namespace callhook::report {
namespace {

// "delay:120ms" and "duplicate(2)" count as "delay" and "duplicate".
std::string fault_name(const std::string& entry) {
  const auto end = entry.find_first_of(":=( ");
  return entry.substr(0, end);
}

bool is_2xx(int status) { return status >= 200 && status < 300; }

}  // namespace

RunStats::RunStats() : RunStats(Options{}) {}

RunStats::RunStats(Options options) : m_options(options) {}

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

Second& RunStats::second_at(std::int64_t at_us) {
  const auto second = static_cast<std::size_t>(std::clamp<std::int64_t>(
      at_us / 1000000, 0, static_cast<std::int64_t>(k_max_seconds)));
  if (second >= m_seconds.size()) m_seconds.resize(second + 1);
  return m_seconds[second];
}

CallOutcome* RunStats::call_record(const std::string& call_id, bool failing) {
  if (auto it = m_call_index.find(call_id); it != m_call_index.end()) return &m_calls[it->second];
  const bool keep = m_options.keep_call_ids || (failing && m_calls.size() < k_max_failing_calls);
  if (!keep) return nullptr;
  m_calls.push_back(CallOutcome{call_id, {}, 0});
  m_call_index.emplace(m_calls.back().call_id, m_calls.size() - 1);
  return &m_calls.back();
}

void RunStats::add_failure(const std::string& call_id, std::string reason) {
  CallOutcome* call = call_record(call_id, true);
  if (call == nullptr) {
    ++m_failures_not_kept;
    return;
  }
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
  } else if (!is_2xx(attempt.status) && attempt.status != 0) {
    ++m_statuses[attempt.status];
  }

  ++second_at(attempt.sent_at_us).sent;
  const std::int64_t answered_at = attempt.sent_at_us + std::max<std::int64_t>(attempt.latency_us, 0);
  m_last_answer_us = std::max(m_last_answer_us, answered_at);
  if (answered && is_2xx(attempt.status) && !attempt.too_slow) ++second_at(answered_at).delivered;

}

void RunStats::on_final(const FinalEvent& final_event) {
  EventStats& stats = event_stats(final_event.event);
  for (Counts* counts : {&stats.counts, &m_totals}) {
    switch (final_event.result) {
      case Final::Delivered: ++counts->delivered; break;
      case Final::Failed: ++counts->failed; break;
      case Final::Dropped: ++counts->dropped; break;
      case Final::Cancelled: ++counts->cancelled; break;
    }
    if (final_event.out_of_order) ++counts->out_of_order;
  }
  for (const std::string& fault : final_event.faults) ++m_faults[fault_name(fault)];

  if (final_event.result == Final::Failed) {
    const std::string why = final_event.reason.empty()
                                ? "failed after " + std::to_string(final_event.attempts) + " attempts"
                                : final_event.reason;
    add_failure(final_event.call_id,
                "delivery #" + std::to_string(final_event.delivery) + " " + final_event.event + ": " + why);
  } else if (m_options.keep_call_ids) {
    call_record(final_event.call_id, false);
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
  add_failure(probe.call_id, "probe " + probe.url + ": " + probe.message);
}

void RunStats::on_call_started() { ++m_calls_started; }

void RunStats::on_call_ended() { ++m_calls_ended; }

RunStats::Live RunStats::live() const {
  const std::int64_t count = m_latency.count();
  if (count != m_live_p99_count && (count - m_live_p99_count) * 100 >= m_live_p99_count) {
    m_live_p99_ms = m_latency.percentile(99) / 1000.0;
    m_live_p99_count = count;
  }
  const std::int64_t ended = m_totals.delivered + m_totals.failed + m_totals.dropped + m_totals.cancelled;
  return Live{m_calls_started - m_calls_ended, m_totals.sent,          m_totals.delivered, m_totals.failed,
              m_totals.dropped,                m_totals.planned - ended, m_live_p99_ms};
}

double RunStats::mean_sent_per_s() const {
  if (m_totals.sent == 0) return 0.0;
  const double span_s = static_cast<double>(std::max<std::int64_t>(m_last_answer_us, 1000)) / 1e6;
  return static_cast<double>(m_totals.sent) / span_s;
}

double RunStats::mean_delivered_per_s() const {
  std::int64_t delivered = 0;
  for (const Second& second : m_seconds) delivered += second.delivered;
  if (delivered == 0) return 0.0;
  const double span_s = static_cast<double>(std::max<std::int64_t>(m_last_answer_us, 1000)) / 1e6;
  return static_cast<double>(delivered) / span_s;
}

std::int64_t RunStats::peak_sent_per_s() const {
  std::int64_t peak = 0;
  for (const Second& second : m_seconds) peak = std::max(peak, second.sent);
  return peak;
}

std::vector<std::pair<std::string, std::int64_t>> RunStats::errors() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (std::size_t kind = 1; kind < m_transport_errors.size(); ++kind) {
    if (m_transport_errors[kind] > 0) {
      out.emplace_back(delivery::error_name(static_cast<delivery::ErrorKind>(kind)), m_transport_errors[kind]);
    }
  }
  // Each status class, then its exact statuses.
  for (auto it = m_statuses.begin(); it != m_statuses.end();) {
    const int status_class = it->first / 100;
    auto end = it;
    std::int64_t class_total = 0;
    while (end != m_statuses.end() && end->first / 100 == status_class) class_total += (end++)->second;
    out.emplace_back(std::to_string(status_class) + "xx", class_total);
    for (; it != end; ++it) out.emplace_back(std::to_string(it->first), it->second);
  }
  return out;
}

std::int64_t RunStats::unaccounted() const {
  return m_totals.planned - (m_totals.delivered + m_totals.failed + m_totals.dropped + m_totals.cancelled);
}

}  // namespace callhook::report
