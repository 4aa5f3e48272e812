#include "report/journal_report.hpp"

#include <algorithm>
#include <climits>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "journal/reader.hpp"
#include "util/rng.hpp"
#include "util/url.hpp"
#include "vendors/lifecycle.hpp"
#include "vendors/vendor.hpp"

namespace callhook::report {
namespace {

// Why a call is worth a look, as bits while reading and names in the page.
enum Anomaly : std::uint16_t {
  k_duplicate = 1,
  k_retry = 2,
  k_reorder = 4,
  k_drop = 8,
  k_failed = 16,
  k_finding = 32,
  k_error = 64,
  k_fault = 128,
  k_cancelled = 256,
  k_too_slow = 512,
  k_rejected = 1024,  // refused as it had to be: shown, though not a failure
  k_probe = 2048,     // a failed probe
};
constexpr std::pair<Anomaly, const char*> k_anomaly_names[] = {
    {k_failed, "failed"},     {k_drop, "drop"},         {k_duplicate, "duplicate"}, {k_retry, "retry"},
    {k_reorder, "reorder"},   {k_finding, "finding"},   {k_probe, "probe"},         {k_error, "error"},
    {k_too_slow, "too_slow"}, {k_rejected, "rejected"}, {k_fault, "fault"},         {k_cancelled, "cancelled"},
};

// The number in a delivery's key ("<stream>.<call>.<n>", "script.<n>").
std::int64_t key_number(const std::string& key) {
  std::int64_t n = 0;
  const auto dot = key.rfind('.');
  for (std::size_t i = dot == std::string::npos ? 0 : dot + 1; i < key.size(); ++i) {
    if (key[i] < '0' || key[i] > '9') return 0;
    n = n * 10 + (key[i] - '0');
  }
  return n;
}

// The session a delivery key belongs to: its key without the number
// (a caller who calls back has the same call id in a new session).
std::string session_of(const std::string& key) { return key.substr(0, key.rfind('.')); }

// Out of order as the run judged it (vendors/lifecycle.hpp), from a final
// record of a delivered delivery: its place in its lifecycle, which is its
// vendor session or, for the script (keys "script.<n>"), its call.
// Journals of older versions carry no place: the number in the key stands
// in for it there, and their copies are not judged.
bool delivered_out_of_order(std::unordered_map<std::string, vendors::LifecycleOrder>& lifecycles,
                            const journal::FinalEntry& e) {
  if (e.seq < 0 && e.copy > 0) return false;
  std::string lifecycle = session_of(e.delivery);
  if (lifecycle == "script") lifecycle += "/" + e.call;
  return lifecycles[lifecycle].delivered(e.seq >= 0 ? e.seq : key_number(e.delivery));
}

struct CallTrack {
  std::string id;
  std::size_t stream = 0;
  std::vector<std::uint64_t> offsets;  // its records in the journal
  std::uint16_t anomalies = 0;
};

struct OpenDelivery {
  std::string event;
  std::string call;
};

delivery::ErrorKind error_kind(const std::string& name) {
  for (int kind = 1; kind <= static_cast<int>(delivery::ErrorKind::Protocol); ++kind) {
    const auto k = static_cast<delivery::ErrorKind>(kind);
    if (name == delivery::error_name(k)) return k;
  }
  return name.empty() ? delivery::ErrorKind::None : delivery::ErrorKind::Protocol;
}

Final final_of(const std::string& result) {
  for (const Final f : {Final::Delivered, Final::Rejected, Final::Dropped, Final::Cancelled})
    if (result == final_name(f)) return f;
  return Final::Failed;
}

// The vendor whose profile sends `event`, "" when none does.
std::string vendor_of(const std::string& event) {
  for (const vendors::VendorInfo& info : vendors::registry()) {
    if (std::find(info.events.begin(), info.events.end(), event) != info.events.end()) return info.name;
  }
  return "";
}

// A receiver URL without its query (GET vendors put ids there).
std::string target_of(const std::string& url) {
  const auto parsed = util::parse_url(url);
  if (!parsed) return url;
  return parsed->origin() + parsed->target.substr(0, parsed->target.find('?'));
}

std::vector<std::string> anomaly_names(std::uint16_t bits) {
  std::vector<std::string> names;
  for (const auto& [bit, name] : k_anomaly_names)
    if ((bits & bit) != 0) names.emplace_back(name);
  return names;
}

// Reads every record once: the numbers, and where each call's records are.
class FirstPass {
 public:
  FirstPass(JournalReport& report, journal::JournalReader& reader) : m_report(report), m_reader(reader) {}

  void run() {
    const journal::RunEntry& run = m_reader.run();
    RunInfo& info = m_report.info;
    info.scenario_name = run.scenario;
    info.seed = run.seed;
    info.speed = run.speed;
    info.started_at = run.wall_started_at;
    info.ordering = run.ordering;
    m_report.expect = run.expect;
    for (;;) {
      std::optional<journal::Entry> entry;
      try {
        entry = m_reader.next_summary();
      } catch (const journal::JournalError&) {
        // An interrupt may cut the last line short; anything else is bad input.
        if (!m_reader.at_end()) throw;
        m_report.cut = true;
        break;
      }
      if (!entry) break;
      if (const auto* a = std::get_if<journal::AttemptEntry>(&*entry))
        on_attempt(*a);
      else if (const auto* f = std::get_if<journal::FinalEntry>(&*entry))
        on_final(*f);
      else if (const auto* finding = std::get_if<journal::FindingEntry>(&*entry))
        on_finding(*finding);
      else if (const auto* probe = std::get_if<journal::ProbeEntry>(&*entry))
        on_probe(*probe);
    }
    if (!m_reader.ended()) m_report.cut = true;
    // Deliveries that never ended: the run was interrupted first.
    for (auto& [key, open] : m_open) {
      FinalEvent f;
      f.event = open.event;
      f.call_id = open.call;
      f.delivery = m_deliveries++;
      f.result = Final::Cancelled;
      m_report.stats.on_final(f);
      m_calls[m_call_index[open.call]].anomalies |= k_cancelled;
    }
    info.interrupted = m_report.cut || m_report.stats.totals().cancelled > 0;
    info.duration_s = static_cast<double>(m_end_us) / 1e6;
    info.virtual_span_ms = m_latest_due_ms == INT64_MIN ? 0 : m_latest_due_ms - run.epoch_ms;
    // A call is its deliveries' key prefix ("<stream>.<call index>"); ids
    // beyond that are call-back legs, as the engine counts them.
    const auto ids = static_cast<std::int64_t>(m_calls.size());
    info.calls = m_call_keys.empty() ? ids : static_cast<std::int64_t>(m_call_keys.size());
    info.legs = std::max<std::int64_t>(0, ids - info.calls);
    info.targets.assign(m_targets.begin(), m_targets.end());
  }

  std::vector<CallTrack>& calls() { return m_calls; }
  std::map<std::size_t, std::string>& vendors() { return m_vendors; }
  const std::unordered_map<std::uint64_t, std::int64_t>& drop_times() const { return m_drop_at; }
  // Final records (by offset) of deliveries that arrived out of order.
  bool reordered(std::uint64_t offset) const { return m_reordered.count(offset) > 0; }

 private:
  CallTrack& track(const std::string& call, std::size_t stream) {
    auto [it, added] = m_call_index.try_emplace(call, m_calls.size());
    if (added) {
      m_calls.emplace_back();
      m_calls.back().id = call;
      m_calls.back().stream = stream;
      m_report.stats.on_call_started();
    }
    return m_calls[it->second];
  }

  void note_call_key(const std::string& key) {
    const std::size_t dot = key.rfind('.');
    if (dot != std::string::npos && dot > 0) m_call_keys.insert(key.substr(0, dot));
  }

  void on_attempt(const journal::AttemptEntry& e) {
    if (m_open.find(e.delivery) == m_open.end()) {
      m_open.emplace(e.delivery, OpenDelivery{e.event, e.call});
      m_report.stats.on_planned(e.event);
    }
    const double speed = m_reader.run().speed;
    AttemptEvent a;
    a.event = e.event;
    a.call_id = e.call;
    a.attempt = e.attempt;
    a.status = e.status;
    a.error = error_kind(e.error);
    a.too_slow = e.verdict == "too_slow";
    a.rejected = e.verdict == "rejected";
    a.will_retry = e.will_retry;
    a.retry_after_clamped_ms = e.retry_after_clamped_ms;
    a.latency_us = e.wall_latency_us;
    a.sent_at_us = e.wall_offset_us;
    if (speed > 0) {
      const auto planned_us =
          static_cast<std::int64_t>(static_cast<double>(e.due_ms - m_reader.run().epoch_ms) * 1000.0 / speed);
      a.lateness_us = std::max<std::int64_t>(0, e.wall_offset_us - planned_us);
    }
    m_report.stats.on_attempt(a);

    CallTrack& call = track(e.call, e.stream);
    note_call_key(e.delivery);
    call.offsets.push_back(m_reader.offset());
    if (e.attempt > 1) call.anomalies |= k_retry;
    if (e.copy > 0) call.anomalies |= k_duplicate;
    if (!e.faults.empty()) call.anomalies |= k_fault;
    if (e.verdict == "too_slow")
      call.anomalies |= k_too_slow;
    else if (e.verdict == "rejected")
      call.anomalies |= k_rejected;
    else if (e.verdict != "delivered")
      call.anomalies |= k_error;
    if (m_vendors.find(e.stream) == m_vendors.end()) {
      const std::string vendor = vendor_of(e.event);
      if (!vendor.empty()) m_vendors[e.stream] = vendor;
    }
    if (m_targets.size() < 10 && e.url != m_last_url) {
      m_targets.insert(target_of(e.url));
      m_last_url = e.url;
    }
    m_last_us = std::max(m_last_us, e.wall_offset_us);
    m_end_us = std::max(m_end_us, e.wall_offset_us + std::max<std::int64_t>(e.wall_latency_us, 0));
    m_latest_due_ms = std::max(m_latest_due_ms, e.due_ms);
  }

  void on_final(const journal::FinalEntry& e) {
    if (m_open.erase(e.delivery) == 0) {
      m_report.stats.on_planned(e.event);
      m_drop_at.emplace(m_reader.offset(), m_last_us);
    }
    CallTrack& call = track(e.call, e.stream);
    note_call_key(e.delivery);
    call.offsets.push_back(m_reader.offset());
    FinalEvent f;
    f.event = e.event;
    f.call_id = e.call;
    f.vendor = vendor_of(e.event);
    f.delivery = m_deliveries++;
    f.result = final_of(e.result);
    f.attempts = e.attempts;
    f.faults = e.faults;
    f.reason = e.reason;
    if (f.result == Final::Delivered) {
      f.out_of_order = delivered_out_of_order(m_lifecycles, e);
      if (f.out_of_order) m_reordered.insert(m_reader.offset());
    }
    m_report.stats.on_final(f);
    if (f.out_of_order) call.anomalies |= k_reorder;
    if (f.result == Final::Dropped) call.anomalies |= k_drop;
    if (f.result == Final::Failed) call.anomalies |= k_failed;
    if (f.result == Final::Cancelled) call.anomalies |= k_cancelled;
    if (!e.faults.empty()) call.anomalies |= k_fault;
  }

  void on_probe(const journal::ProbeEntry& e) {
    m_report.stats.on_probe(e);
    auto it = m_call_index.find(e.call_id);
    if (it == m_call_index.end()) return;
    if (!e.passed) m_calls[it->second].anomalies |= k_probe;
    m_calls[it->second].offsets.push_back(m_reader.offset());
  }

  void on_finding(const journal::FindingEntry& e) {
    m_report.stats.on_finding(vendors::Finding{e.call, e.event, e.message});
    auto it = m_call_index.find(e.call);
    if (it == m_call_index.end()) return;
    m_calls[it->second].anomalies |= k_finding;
    m_calls[it->second].offsets.push_back(m_reader.offset());
  }

  JournalReport& m_report;
  journal::JournalReader& m_reader;
  std::vector<CallTrack> m_calls;
  std::unordered_map<std::string, std::size_t> m_call_index;
  std::unordered_set<std::string> m_call_keys;  // "<stream>.<call index>" of every delivery
  std::unordered_map<std::string, OpenDelivery> m_open;
  std::unordered_map<std::uint64_t, std::int64_t> m_drop_at;
  std::unordered_map<std::string, vendors::LifecycleOrder> m_lifecycles;
  std::unordered_set<std::uint64_t> m_reordered;
  std::map<std::size_t, std::string> m_vendors;
  std::set<std::string> m_targets;
  std::string m_last_url;  // most attempts go where the one before went
  std::uint64_t m_deliveries = 0;
  std::int64_t m_last_us = 0;
  std::int64_t m_end_us = 0;
  std::int64_t m_latest_due_ms = INT64_MIN;
};

// Every anomalous call up to the cap, and a seeded sample of the others.
std::vector<std::size_t> chosen_calls(const std::vector<CallTrack>& calls, const TimelineOptions& options,
                                      std::uint64_t seed, Timeline& timeline) {
  std::vector<std::size_t> chosen, normal;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    if (calls[i].anomalies == 0) {
      normal.push_back(i);
      continue;
    }
    ++timeline.anomalous_calls;
    if (chosen.size() < options.max_anomalous_calls) chosen.push_back(i);
  }
  timeline.anomalous_shown = static_cast<std::int64_t>(chosen.size());
  if (normal.size() > options.sample_calls) {
    const std::uint64_t sample_seed = util::derive(seed, 0, 0, "timeline-sample");
    const auto rank = [&](std::size_t i) { return util::derive(sample_seed, i); };
    std::nth_element(normal.begin(), normal.begin() + static_cast<std::ptrdiff_t>(options.sample_calls), normal.end(),
                     [&](std::size_t a, std::size_t b) { return rank(a) < rank(b); });
    normal.resize(options.sample_calls);
  }
  timeline.normal_shown = static_cast<std::int64_t>(normal.size());
  chosen.insert(chosen.end(), normal.begin(), normal.end());
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

// Reads the chosen calls' records again, in file order.
void fill_timeline(journal::JournalReader& reader, FirstPass& pass, const std::vector<std::size_t>& chosen,
                   Timeline& timeline) {
  std::vector<std::pair<std::uint64_t, std::size_t>> records;  // offset, index in timeline.calls
  for (std::size_t i : chosen) {
    const CallTrack& track = pass.calls()[i];
    TimelineCall call;
    call.id = track.id;
    call.vendor = pass.vendors()[track.stream];
    call.anomalies = anomaly_names(track.anomalies);
    timeline.calls.push_back(std::move(call));
    for (std::uint64_t offset : track.offsets) records.emplace_back(offset, timeline.calls.size() - 1);
  }
  std::sort(records.begin(), records.end());
  std::vector<std::unordered_map<std::string, std::size_t>> by_key(timeline.calls.size());
  for (const auto& record : records) {
    // Plain variables, not a structured binding: lambdas below capture them.
    const std::uint64_t offset = record.first;
    const std::size_t index = record.second;
    TimelineCall& call = timeline.calls[index];
    const journal::Entry entry = reader.read_at(offset);
    const auto delivery_of = [&](const std::string& key) -> TimelineDelivery& {
      auto [it, added] = by_key[index].try_emplace(key, call.deliveries.size());
      if (added) {
        call.deliveries.emplace_back();
        call.deliveries.back().key = key;
      }
      return call.deliveries[it->second];
    };
    if (const auto* a = std::get_if<journal::AttemptEntry>(&entry)) {
      TimelineDelivery& d = delivery_of(a->delivery);
      if (d.attempts.empty()) {
        d.event = a->event;
        d.copy = a->copy;
        d.planned_ms = a->planned_ms;
        d.at_us = a->wall_offset_us;
        d.faults = a->faults;
        d.method = a->method;
        d.url = a->url;
        d.body_cut = a->body.size() > Timeline::k_body_bytes;
        d.body = a->body.substr(0, Timeline::k_body_bytes);
        d.result = "cancelled";  // until its final record says otherwise
      }
      d.attempts.push_back(TimelineAttempt{a->attempt, a->wall_offset_us, a->wall_latency_us, a->status, a->error,
                                           a->verdict, a->will_retry, a->headers, a->response});
    } else if (const auto* f = std::get_if<journal::FinalEntry>(&entry)) {
      TimelineDelivery& d = delivery_of(f->delivery);
      if (d.attempts.empty()) {
        d.event = f->event;
        d.copy = f->copy;
        d.planned_ms = f->planned_ms;
        const auto drop = pass.drop_times().find(offset);
        d.at_us = drop == pass.drop_times().end() ? 0 : drop->second;
      }
      d.result = f->result;
      d.reason = f->reason;
      d.faults = f->faults;
      d.out_of_order = pass.reordered(offset);
    } else if (const auto* finding = std::get_if<journal::FindingEntry>(&entry)) {
      call.findings.push_back(finding->event + ": " + finding->message);
    } else if (const auto* probe = std::get_if<journal::ProbeEntry>(&entry)) {
      call.probes.push_back(*probe);
      call.probes.back().answer.resize(std::min(probe->answer.size(), Timeline::k_body_bytes));
    }
  }
}

}  // namespace

JournalReport read_journal_report(const std::string& path, const TimelineOptions& options,
                                  RunStats::Options stats_options) {
  JournalReport report{RunStats(stats_options), {}, {}, {}, false};
  journal::JournalReader reader(path);
  FirstPass pass(report, reader);
  pass.run();
  Timeline& timeline = report.timeline;
  timeline.total_calls = static_cast<std::int64_t>(pass.calls().size());
  timeline.sample_seed = report.info.seed;
  const auto chosen = chosen_calls(pass.calls(), options, report.info.seed, timeline);
  fill_timeline(reader, pass, chosen, timeline);
  return report;
}

}  // namespace callhook::report
