// The run loop.
//
// Time. A run has two clocks: virtual time (unix ms from the scenario's
// epoch, what payloads show and what the schedule is made of) and wall time
// (the Clock). With a finite speed an attempt due at virtual v goes out at
// wall start + (v - epoch) / speed. With speed "max" wall time plays no part
// in the schedule: the loop always takes the earliest due attempt next, and
// only the transport's pace and each call's timeline (engine/timeline.hpp)
// hold it back. Values a receiver compares with its own clock (signature
// timestamps by default, an HTTP-date Retry-After) are read from the wall.
//
// One pass of the loop: wake attempts whose overlap gap has passed, admit
// the calls whose time has come (engine/admission.hpp), send due attempts
// while fewer than `concurrency` are in flight (each through its call's
// timeline gate), then sleep inside Transport::poll until the next due time,
// a result, a gap's end or a progress tick, and handle the results.
//
// Sessions. A vendor Session hands out its deliveries in batches; a batch
// ends with at most one blocking delivery (a handshake, engine/handshake.hpp).
// Faults bend each batch as it arrives, by moving due times.
//
// Accounting. Every delivery put in the queue ends exactly once, as
// delivered, failed (its retries spent), dropped (a drop fault) or cancelled
// (the run was interrupted first); the report checks planned = delivered +
// failed + dropped + cancelled at the end.
#include "engine/engine.hpp"

#include <algorithm>
#include <charconv>
#include <limits>
#include <optional>
#include <unordered_map>

#include "delivery/retry.hpp"
#include "engine/admission.hpp"
#include "engine/attempt_request.hpp"
#include "engine/batch.hpp"
#include "engine/handshake.hpp"
#include "engine/journal_records.hpp"
#include "engine/min_heap.hpp"
#include "engine/probes.hpp"
#include "engine/retry_schedule.hpp"
#include "engine/script.hpp"
#include "engine/slots.hpp"
#include "faults/faults.hpp"
#include "journal/journal.hpp"
#include "scenario/fault_names.hpp"
#include "util/url.hpp"

namespace callhook::engine {
namespace {

constexpr std::int64_t k_tick_us = 200000;     // progress callback period
constexpr std::size_t k_spare_headers = 1024;  // header vectors kept for reuse, at most
constexpr int k_max_probe_polls = 1001;        // the loader allows until_ms / interval_ms <= 1000

// An attempt waiting for its due time, keyed by (due time, planned order).
struct QueueEntry {
  std::int64_t due_ms;
  std::uint64_t order;
  std::uint32_t item;
  std::uint32_t session;  // the item's (k_no_session for a probe), fetched ahead with it
  bool operator>(const QueueEntry& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : order > o.order; }
};

// A parked attempt whose call's timeline lets it go at a wall time.
struct Wake {
  util::MonoUs at;
  std::uint64_t stamp;
  std::uint32_t item;
  bool operator>(const Wake& o) const { return at > o.at; }
};

// "<stream>.<call index>.<n>", formatted in place: most keys fit in a
// std::string's inline buffer, so making one allocates nothing.
std::string delivery_key(std::size_t stream, std::uint64_t call_index, std::uint32_t n) {
  // Each number within its own bound (20 digits hold any 64-bit value), so
  // the compiler sees every write inside the buffer.
  char text[64];
  char* at = std::to_chars(text, text + 20, stream).ptr;
  *at++ = '.';
  at = std::to_chars(at, at + 20, call_index).ptr;
  *at++ = '.';
  at = std::to_chars(at, at + 10, n).ptr;
  return std::string(text, at);
}

}  // namespace

struct Engine::State {
  const RunPlan& plan;
  delivery::Transport& transport;
  const util::Clock& clock;
  report::RunStats& stats;
  journal::JournalWriter* journal;
  EngineOptions options;

  Admission admission;
  Slab<Item> items;
  Slab<CallSlot> sessions;
  MinHeap<QueueEntry> queue;
  MinHeap<Wake> wakes;
  std::uint64_t next_plan_order = 0;
  std::uint64_t next_park_stamp = 0;
  std::unordered_map<std::string, util::Url> url_cache;
  const std::pair<const std::string, util::Url>* last_url = nullptr;  // the entry url_of found last
  // Header vectors handed back by the transport (HttpResult::request_headers),
  // written over for the next attempts: their storage is reused.
  std::vector<util::Headers> spare_headers;
  std::vector<delivery::HttpResult> done;
  // The script plays several calls in one session: each is a lifecycle of its own.
  std::vector<std::pair<std::string, vendors::LifecycleOrder>> script_lifecycles;
  // Filled anew for every attempt and final: their strings keep their
  // capacity, so telling the report costs no allocation per delivery.
  report::AttemptEvent attempt_event;
  report::FinalEvent final_event;

  util::MonoUs wall_start = 0;
  std::int64_t frontier_ms = 0;  // virtual time reached (max speed: latest due taken from the queue)
  std::int64_t last_due_ms = 0;
  std::int64_t first_send_us = -1;
  std::int64_t calls = 0;
  std::int64_t legs = 0;  // call-back legs (note_leg)
  std::size_t live_sessions = 0;
  // The script's calls (RunPlan::script_aliases): deliveries not yet final
  // and the last due time, so each is probed when its last delivery ends.
  struct ScriptCallState {
    std::uint32_t open = 0;
    std::int64_t last_due_ms = 0;
    std::shared_ptr<CallFacts> facts;  // only when its stream has a probe
  };
  std::vector<ScriptCallState> script_calls;
  std::size_t polls_waiting = 0;  // probes waiting on the wake-up heap to ask again
  // Interrupts (EngineOptions::stop): once stopping, nothing new is
  // dispatched or admitted and handshake answers resume no session.
  bool stopping = false;
  bool max_duration_reached = false;  // the stop came from options.max_duration_us
  util::MonoUs stop_deadline = 0;     // the grace period's end (wall)
  // Also true as soon as *stop is raised (by a signal, mid-pass).
  bool stop_requested() const { return stopping || stop_level() != 0; }
  // The higher of *stop and *abort.
  int stop_level() const {
    return std::max(options.stop ? options.stop->load() : 0, options.abort ? options.abort->load() : 0);
  }

  State(const RunPlan& p, delivery::Transport& t, const util::Clock& c, report::RunStats& s, journal::JournalWriter* j,
        EngineOptions o)
      : plan(p), transport(t), clock(c), stats(s), journal(j), options(std::move(o)), admission(p.scenario) {
    frontier_ms = plan.scenario.epoch_ms;
    for (std::size_t i = 0; i < plan.streams.size(); ++i) {
      const auto* info = plan.streams[i].info;
      if (info && !info->reads_turns && !plan.scenario.streams[i].probe) admission.leave_out_turns(i);
    }
  }

  bool max_speed() const { return options.speed <= 0; }

  std::int64_t virtual_now(util::MonoUs now) const {
    if (max_speed()) return frontier_ms;
    return plan.scenario.epoch_ms +
           static_cast<std::int64_t>(static_cast<double>(now - wall_start) / 1000.0 * options.speed);
  }

  util::MonoUs wall_of(std::int64_t due_ms) const {
    if (max_speed()) return 0;
    return wall_start +
           static_cast<util::MonoUs>(static_cast<double>(due_ms - plan.scenario.epoch_ms) * 1000.0 / options.speed);
  }

  // Looked up once per item (a map lookup by event name), then kept.
  const EventSettings& settings_of(Item& item) const {
    if (!item.settings) item.settings = &plan.streams[item.stream].for_event(item.d.event);
    return *item.settings;
  }

  // --- planning: calls and their batches -----------------------------------

  void push(std::uint32_t i) {
    Item& item = items[i];
    item.stage = Item::Stage::Queued;
    queue.push({item.due_ms, item.plan_order, i, item.session});
  }

  // A new item of session s, numbered and queued; returns its index.
  std::uint32_t plan_item(std::uint32_t s, vendors::Delivery d, std::string key) {
    CallSlot& session = sessions[s];
    const std::uint32_t i = items.add();
    Item& item = items[i];
    item.session = s;
    item.stream = session.stream;
    item.key = std::move(key);
    item.due_ms = d.due_ms;
    item.plan_order = next_plan_order++;
    item.d = std::move(d);
    // Bodies are written with room to spare, then wait for their due time
    // beside those of tens of thousands of other calls: at their own size
    // they take a fifth less memory, and a load run is bound by its memory.
    item.d.body.shrink_to_fit();
    ++session.open;
    stats.on_planned(item.d.event);
    push(i);
    return i;
  }

  // One batch of a session: made ready (engine/batch.hpp), then queued.
  // not_before_ms: a batch that resumes a handshake cannot leave before
  // the handshake did (held back by a fault or its retries): its deliveries
  // wait until then and keep their planned times (what their bodies report).
  void enqueue_batch(std::uint32_t s, std::vector<vendors::Delivery> batch,
                     std::int64_t not_before_ms = std::numeric_limits<std::int64_t>::min()) {
    CallSlot& session = sessions[s];
    prepare_batch(batch, plan.scenario.streams[session.stream], plan.scenario.seed, session.stream, session.call_index,
                  session.numbered, session.fault_rng, session.vendor_session.get());
    for (auto& d : batch) {
      d.due_ms = std::max(d.due_ms, not_before_ms);
      if (d.blocking) sessions[s].awaiting = true;
      note_leg(sessions[s], d.call_id);
      plan_item(s, std::move(d), delivery_key(sessions[s].stream, sessions[s].call_index, sessions[s].numbered++));
    }
  }

  // A call id other than the call's own is a call-back leg (a caller who
  // calls back gets a new call id): counted once, so reports can say
  // "calls 20 (+2 call-back legs)" where ids outnumber calls.
  void note_leg(CallSlot& session, const std::string& call_id) {
    if (call_id.empty() || call_id == session.call_id) return;
    if (std::find(session.leg_ids.begin(), session.leg_ids.end(), call_id) != session.leg_ids.end()) return;
    session.leg_ids.push_back(call_id);
    ++legs;
  }

  void open_session(std::size_t stream, const population::Call& call) {
    const std::uint32_t s = sessions.add();
    CallSlot& session = sessions[s];
    session.stream = stream;
    session.call_index = call.index;
    session.live = true;
    session.timeline = CallTimeline(plan.streams[stream].for_event("").ordering);
    session.fault_rng = util::Rng(util::derive(plan.scenario.seed, stream, call.index, "faults"));
    session.retry_rng = util::Rng(util::derive(plan.scenario.seed, stream, call.index, "retry"));
    session.vendor_session = plan.streams[stream].vendor->open(call);
    ++live_sessions;
    ++calls;
    stats.on_call_started();
    auto batch = session.vendor_session->start();
    if (!batch.empty()) sessions[s].call_id = batch.front().call_id;
    if (plan.scenario.streams[stream].probe) {
      vendors::SessionFacts facts = session.vendor_session->facts();
      if (facts.call_id.empty()) facts.call_id = session.call_id;
      const auto& platforms = plan.streams[stream].info->platforms;
      session.facts = std::make_shared<CallFacts>(call_facts(call, facts, platforms.empty() ? "" : platforms.front()));
    }
    enqueue_batch(s, std::move(batch));
    maybe_close(s);
  }

  // Scripted deliveries are exact: no drawn faults (a step's own lost_ack
  // aside), keyed in script order, one at a time (a step's copies sent
  // "together" at once). Each keeps the place in its call's plan that
  // build_script gave it.
  void open_script() {
    if (plan.script.empty()) return;
    const std::uint32_t s = sessions.add();
    CallSlot& session = sessions[s];
    session.stream = plan.scenario.script.front().stream;
    session.call_index = k_script_call_index;
    session.live = true;
    session.timeline = CallTimeline(Ordering::Strict);
    session.retry_rng = util::Rng(util::derive(plan.scenario.seed, 0, k_script_call_index, "retry"));
    ++live_sessions;
    calls += static_cast<std::int64_t>(plan.script_calls);
    script_calls.resize(plan.script_aliases.size());
    for (std::size_t a = 0; a < plan.script_aliases.size(); ++a)
      if (plan.scenario.streams[plan.script_aliases[a].stream].probe)
        script_calls[a].facts = std::make_shared<CallFacts>(plan.script_aliases[a].facts);
    for (std::size_t k = 0; k < plan.script.size(); ++k) {
      vendors::Delivery d = plan.script[k];
      d.planned_ms = d.due_ms;
      const std::uint32_t i = plan_item(s, std::move(d), "script." + std::to_string(sessions[s].numbered++));
      if (k < plan.script_alias_of.size()) {
        items[i].script_call = plan.script_alias_of[k];
        ++script_calls[items[i].script_call].open;
      }
    }
  }

  // The lifecycle a delivery of `call` is judged in (vendors/lifecycle.hpp).
  vendors::LifecycleOrder& lifecycle_of(CallSlot& session, const std::string& call) {
    if (session.call_index != k_script_call_index) return session.lifecycle;
    for (auto& [id, order] : script_lifecycles)
      if (id == call) return order;
    return script_lifecycles.emplace_back(call, vendors::LifecycleOrder{}).second;
  }

  // A session with nothing open and no handshake pending is over.
  void maybe_close(std::uint32_t s) {
    CallSlot& session = sessions[s];
    if (!session.live || session.open > 0 || session.awaiting) return;
    session.live = false;
    --live_sessions;
    if (session.call_index != k_script_call_index) {
      admission.ended(session.stream);
      stats.on_call_ended();
      schedule_probe(session.stream, session.facts, session.last_due_ms);
    }
    sessions.release(s);
  }

  // A call's deliveries are all final: its stream's probe (if any) is queued
  // after_ms after the last one was due.
  void schedule_probe(std::size_t stream, std::shared_ptr<CallFacts> facts, std::int64_t call_last_due_ms) {
    const auto& probe = plan.scenario.streams[stream].probe;
    if (!probe || !facts || stop_requested() || fact_value(*facts, "call.id").get<std::string>().empty()) return;
    const std::uint32_t i = items.add();
    Item& item = items[i];
    item.probe = true;
    item.stream = stream;
    item.d = probe_request(*probe, *facts);
    item.facts = std::move(facts);
    item.due_ms = call_last_due_ms + probe->after_ms;
    item.plan_order = next_plan_order++;
    push(i);
  }

  // The facts a delivery's call keeps for its probe (nullptr when none).
  CallFacts* facts_of(const Item& item) {
    if (item.script_call != k_no_script_call) return script_calls[item.script_call].facts.get();
    return sessions[item.session].facts.get();
  }

  // An attempt dispatched soon: its item and its call into the cache while
  // the current one is sent (Slab::prefetch).
  void fetch_ahead(const QueueEntry& next) const {
    items.prefetch(next.item);
    if (next.session != k_no_session) sessions.prefetch(next.session);
  }

  // --- the timeline gate ------------------------------------------------------

  TimelinePlace place_of(std::uint32_t i, util::MonoUs now) const {
    const Item& item = items[i];
    return {i, item.due_ms, item.plan_order, item.d.seq, now, item.d.together};
  }

  // Holds an attempt back until its call's timeline lets it go.
  void park(std::uint32_t i, util::MonoUs until) {
    Item& item = items[i];
    item.stage = Item::Stage::Parked;
    item.park_stamp = ++next_park_stamp;
    sessions[item.session].parked.push_back(i);
    if (until != k_no_time) wakes.push({until, item.park_stamp, i});
  }

  // Something changed on the call's timeline: its parked attempts queue
  // again (by due time and planned order) and meet the gate anew.
  void unpark(std::uint32_t s) {
    auto& parked = sessions[s].parked;
    for (const std::uint32_t i : parked) push(i);
    parked.clear();
  }

  // Parked attempts whose overlap gap has passed queue again.
  void wake_parked(util::MonoUs now) {
    while (!wakes.empty() && wakes.top().at <= now) {
      const Wake wake = wakes.top();
      wakes.pop();
      Item& item = items[wake.item];
      if (item.stage != Item::Stage::Parked || item.park_stamp != wake.stamp) continue;  // already moved on
      if (item.probe) {  // a probe's next poll (it belongs to no call's timeline)
        --polls_waiting;
        push(wake.item);
        continue;
      }
      auto& parked = sessions[item.session].parked;
      parked.erase(std::find(parked.begin(), parked.end(), wake.item));
      push(wake.item);
    }
  }

  // --- sending ----------------------------------------------------------------

  const util::Url* url_of(const std::string& text) {
    // Most runs send every delivery of a stream to one URL: comparing with
    // the last one is cheaper than hashing it.
    if (last_url && text == last_url->first) return &last_url->second;
    auto it = url_cache.find(text);
    if (it == url_cache.end()) {
      if (url_cache.size() > 4096) {
        url_cache.clear();
        last_url = nullptr;
      }
      auto parsed = util::parse_url(text);
      if (!parsed) return nullptr;
      it = url_cache.emplace(text, *parsed).first;
    }
    last_url = &*it;
    return &it->second;
  }

  // An attempt taken from the queue: dropped, parked, or sent.
  void dispatch(std::uint32_t i, util::MonoUs now) {
    Item& item = items[i];
    frontier_ms = std::max(frontier_ms, item.due_ms);
    if (!item.probe) {
      CallSlot& session = sessions[item.session];
      session.last_due_ms = std::max(session.last_due_ms, item.due_ms);
      if (item.d.dropped) {
        finish(i, report::Final::Dropped, "dropped by a fault", nullptr);
        return;
      }
      const util::MonoUs release = session.timeline.release_at(place_of(i, now), now);
      if (release > now) {
        park(i, release);
        return;
      }
      // The overlap gap counts from the send itself, not from the top of this pass.
      now = clock.now_us();
      session.timeline.sent(place_of(i, now));
    }
    send(i, now);
  }

  void send(std::uint32_t i, util::MonoUs now) {
    Item& item = items[i];
    last_due_ms = std::max(last_due_ms, item.due_ms);
    item.stage = Item::Stage::InFlight;
    item.sent_us = now;
    ++item.attempts;
    const EventSettings& settings = settings_of(item);
    const util::Url* url = url_of(item.d.url);
    if (!url) {
      delivery::HttpResult bad;
      bad.id = i;
      bad.error = delivery::ErrorKind::Protocol;
      bad.error_text = "invalid URL \"" + item.d.url + "\"";
      bad.started_us = now;
      bad.request_body = std::move(item.d.body);
      complete(bad, now);
      return;
    }
    const std::int64_t stale_by_ms =
        item.d.stale_timestamp ? faults::plan_for(plan.scenario.streams[item.stream], item.d.event).stale_by_ms : 0;
    delivery::HttpRequest request;
    request.id = i;
    request.method = item.d.method;
    request.url = *url;
    if (!spare_headers.empty()) {
      request.headers = std::move(spare_headers.back());
      spare_headers.pop_back();
    }
    attempt_headers(request.headers, item.d, settings.signing,
                    signature_time_s(settings.signing, item.due_ms, clock.unix_ms(), stale_by_ms), item.probe);
    request.record_headers = journal != nullptr;  // the journal keeps the headers as written
    request.body = std::move(item.d.body);        // handed back in the result (HttpResult::request_body)
    request.timeout_ms = answer_timeout_ms(settings);
    request.connect_timeout_ms = settings.connect_timeout_ms;
    if (first_send_us < 0) first_send_us = clock.now_us() - wall_start;
    transport.submit(std::move(request));
  }

  // The reused AttemptEvent, reset and filled with what every attempt of `item` shares.
  report::AttemptEvent& attempt_event_of(const Item& item) {
    report::AttemptEvent& a = attempt_event;
    a.event = item.d.event;  // assigning keeps the strings' capacity
    a.call_id = item.d.call_id;
    a.attempt = item.attempts;
    a.status = 0;
    a.error = delivery::ErrorKind::None;
    a.too_slow = false;
    a.will_retry = false;
    a.retry_after_clamped_ms = -1;
    a.latency_us = 0;
    a.lateness_us = 0;
    a.sent_at_us = 0;
    return a;
  }

  // One attempt ended.
  void complete(delivery::HttpResult& result, util::MonoUs now) {
    const std::uint32_t i = static_cast<std::uint32_t>(result.id);
    Item& item = items[i];
    item.d.body = std::move(result.request_body);  // lent to the transport by send()
    if (!result.request_headers.empty() && spare_headers.size() < k_spare_headers)
      spare_headers.push_back(std::move(result.request_headers));
    if (item.probe) {
      complete_probe(i, result, now);
      return;
    }
    const std::uint32_t s = item.session;
    CallSlot& session = sessions[s];
    session.timeline.answered(i);
    const EventSettings& settings = settings_of(item);
    delivery::Verdict verdict = delivery::judge(result, settings.timeout_ms);
    if (result.error == delivery::ErrorKind::None && result.status / 100 == 2)
      if (CallFacts* facts = facts_of(item)) count_delivered(*facts, item.d.event);
    // A delivery a correct receiver must refuse (bad signature, stale
    // timestamp) ends at its 4xx: refused as expected, never retried.
    const report::MustRefuse refuse = report::must_refuse(item.d.faults);
    const bool refused = refuse != report::MustRefuse::No && is_refusal(result);
    // A lost ack: the receiver's 2xx never reaches the vendor, which sends the
    // delivery again (same id) as after a dropped connection. It fires once,
    // and only with a retry left (fault_checks refuses it where none is).
    bool lost_ack = false;
    if (verdict == delivery::Verdict::Delivered && item.d.lost_ack && item.attempts < settings.retry.max_attempts &&
        settings.retry.on_connect) {
      item.d.lost_ack = false;
      item.d.faults.emplace_back(scenario::fault_name(scenario::Fault::LostAck));
      verdict = delivery::Verdict::Failed;
      lost_ack = true;
    }
    const bool retry = lost_ack || (!refused && verdict != delivery::Verdict::Delivered &&
                                    delivery::should_retry(settings.retry, result, verdict, item.attempts));
    NextAttempt next;
    if (retry)
      next = schedule_retry(settings.retry, item.attempts, session.retry_rng, result, item.due_ms,
                            max_speed() ? item.due_ms : virtual_now(now), clock.unix_ms());
    item.retry_after_clamped_ms = next.clamped_from_ms;

    // Tries the transport lost on a stale keep-alive connection and sent
    // again: each reached the wire, so each is an attempt on record, but
    // none spends the delivery's retry budget (same attempt number).
    for (const delivery::LostTry& lost : result.lost) {
      report::AttemptEvent& a = attempt_event_of(item);
      a.error = lost.error;
      a.will_retry = true;
      a.latency_us = lost.latency_us;
      a.lateness_us = max_speed() ? 0 : std::max<std::int64_t>(0, lost.started_us - wall_of(item.due_ms));
      a.sent_at_us = lost.started_us - wall_start;
      stats.on_attempt(a);
      if (!journal) continue;
      delivery::HttpResult try_result;
      try_result.error = lost.error;
      try_result.started_us = lost.started_us;
      try_result.latency_us = lost.latency_us;
      try_result.sent_headers = result.sent_headers;
      journal->attempt(attempt_record(item, try_result, delivery::Verdict::Failed, true, wall_start, true));
    }

    report::AttemptEvent& a = attempt_event_of(item);
    a.status = result.status;
    a.error = result.error;
    a.too_slow = verdict == delivery::Verdict::TooSlow;
    a.rejected = refused;
    a.will_retry = retry;
    a.retry_after_clamped_ms = item.retry_after_clamped_ms;
    a.latency_us = result.latency_us;
    a.lateness_us = max_speed() ? 0 : std::max<std::int64_t>(0, result.started_us - wall_of(item.due_ms));
    a.sent_at_us = result.started_us - wall_start;
    stats.on_attempt(a);
    if (journal) journal->attempt(attempt_record(item, result, verdict, retry, wall_start, false, refused));

    if (verdict == delivery::Verdict::Delivered) {
      if (refuse != report::MustRefuse::No) accepted_finding(item, refuse, result.status);
      const bool out_of_order = lifecycle_of(session, item.d.call_id).delivered(item.d.seq);
      finish(i, report::Final::Delivered, "", &result, out_of_order);
      return;
    }
    if (retry) {
      item.due_ms = next.due_ms;
      push(i);
      unpark(s);
      return;
    }
    if (refused) {
      finish(i, report::Final::Rejected, refusal_reason(result, item.attempts), &result);
      return;
    }
    finish(i, report::Final::Failed, failure_reason(result, verdict, item.attempts), &result);
  }

  // A probe's answer: ask again after interval_ms while it fails and its
  // until_ms has not passed, else judge it for the report. This is where
  // every probe's final ProbeResult is made.
  void complete_probe(std::uint32_t i, const delivery::HttpResult& result, util::MonoUs now) {
    Item& item = items[i];
    const scenario::StateProbe& probe = *plan.scenario.streams[item.stream].probe;
    if (item.attempts == 1) item.first_sent_us = result.started_us;
    report::ProbeResult judged = judge_probe(probe, *item.facts, item.d, result);
    const util::MonoUs deadline = item.first_sent_us + probe.until_ms * 1000;
    if (!judged.passed && now < deadline && item.attempts < k_max_probe_polls && !stop_requested()) {
      item.stage = Item::Stage::Parked;
      item.park_stamp = ++next_park_stamp;
      wakes.push({std::min(now + probe.interval_ms * 1000, deadline), item.park_stamp, i});
      ++polls_waiting;
      return;
    }
    judged.polls = item.attempts;
    judged.wall_offset_us = item.first_sent_us - wall_start;
    judged.wall_latency_us = result.started_us + result.latency_us - item.first_sent_us;
    if (journal) journal->probe(judged);
    stats.on_probe(judged);
    items.release(i);
  }

  // A delivery a correct receiver must refuse was accepted: a finding.
  void accepted_finding(const Item& item, report::MustRefuse refuse, int status) {
    const vendors::Finding finding{item.d.call_id, item.d.event, accepted_message(refuse, status)};
    stats.on_finding(finding);
    if (journal) journal->finding(finding.call_id, finding.event, finding.message);
  }

  // A delivery is final: account for it, pass its call's turn on, and feed
  // a blocking answer back to the session.
  void finish(std::uint32_t i, report::Final result, const std::string& reason, const delivery::HttpResult* last,
              bool out_of_order = false) {
    Item& item = items[i];
    report::FinalEvent& f = final_event;
    f.event = item.d.event;
    f.call_id = item.d.call_id;
    f.vendor = plan.streams[item.stream].info ? plan.streams[item.stream].info->name : "";
    f.delivery = i;
    f.result = result;
    f.attempts = item.attempts;
    f.out_of_order = out_of_order;
    f.faults = item.d.faults;
    f.reason = reason;
    stats.on_final(f);
    if (journal) journal->final_record(final_record(item, result, reason));

    const std::uint32_t s = item.session;
    const std::uint32_t script_call = item.script_call;
    const std::int64_t due_ms = item.due_ms;
    const bool is_blocking = item.d.blocking;
    // Only a blocking delivery outlives its item (a default Delivery allocates).
    std::optional<vendors::Delivery> blocking;
    if (is_blocking) blocking.emplace(std::move(item.d));
    items.release(i);
    CallSlot& session = sessions[s];
    --session.open;
    session.timeline.finished(i);
    unpark(s);
    if (script_call != k_no_script_call) {
      ScriptCallState& call = script_calls[script_call];
      call.last_due_ms = std::max(call.last_due_ms, due_ms);
      if (--call.open == 0) schedule_probe(plan.script_aliases[script_call].stream, call.facts, call.last_due_ms);
    }
    if (is_blocking && stop_requested()) {
      session.awaiting = false;  // interrupted: the session is not resumed
    } else if (is_blocking) {
      session.awaiting = false;
      auto next = resume_session(*session.vendor_session, *blocking,
                                 answer_of(result == report::Final::Delivered, last), stats, journal);
      enqueue_batch(s, std::move(next), due_ms);
    }
    maybe_close(s);
  }

  // Interrupted: every delivery not yet final (queued, parked, retrying or
  // in flight) ends as cancelled; sessions are not resumed.
  void cancel_unfinished() {
    for (std::uint32_t i = 0; i < items.size(); ++i)
      if (!items[i].probe && !items[i].key.empty())
        finish(i, report::Final::Cancelled, "the run was interrupted", nullptr);
  }

  // --- the loop ---------------------------------------------------------------

  RunOutcome run() {
    wall_start = options.start_us >= 0 ? options.start_us : clock.now_us();
    util::MonoUs next_tick = wall_start + k_tick_us;
    open_script();
    const auto concurrency = static_cast<std::size_t>(std::max<std::int64_t>(1, options.concurrency));
    const auto open = [this](std::size_t stream, const population::Call& call) { open_session(stream, call); };
    for (;;) {
      const util::MonoUs now = clock.now_us();
      // Interrupted: wait for the requests in flight up to the grace period
      // (none at level 2), then cancel what is left and end the run.
      // A signal, a cancel, an "abort" expectation or the max duration: the
      // same graceful stop; the max duration is the reason only when nothing
      // else asked for it.
      const int level = stop_level();
      const bool out_of_time = options.max_duration_us >= 0 && now - wall_start >= options.max_duration_us;
      if (level != 0 || out_of_time) {
        if (!stopping) {
          stop_deadline = now + std::max<std::int64_t>(0, options.grace_ms) * 1000;
          max_duration_reached = out_of_time && level == 0;
        }
        stopping = true;
        if (level >= 2 || transport.in_flight() == 0 || now >= stop_deadline) {
          cancel_unfinished();
          break;
        }
      }
      wake_parked(now);
      // At max speed the horizon is the earliest pending delivery: calls
      // start in virtual-time order with the deliveries already planned.
      const std::int64_t horizon = max_speed() ? (queue.empty() ? k_never_ms : queue.top().due_ms) : virtual_now(now);
      if (!stopping)
        admission.admit(max_speed() && queue.empty() ? admission.next_start() : horizon, frontier_ms, open);

      while (!stop_requested() && !queue.empty() && transport.in_flight() < concurrency) {
        const QueueEntry top = queue.top();
        if (!max_speed() && wall_of(top.due_ms) > now) break;
        if (max_speed() && admission.next_start() < top.due_ms) {
          admission.admit(top.due_ms, frontier_ms, open);
          if (queue.top().order != top.order) continue;  // an earlier delivery arrived
        }
        queue.pop();
        if (!queue.empty()) fetch_ahead(queue.top());
        dispatch(top.item, now);
      }

      if (queue.empty() && transport.in_flight() == 0 && live_sessions == 0 && admission.done() && polls_waiting == 0)
        break;

      // Sleep in the transport until the next due time, a result, a gap's
      // end or a tick.
      util::MonoUs wake = next_tick;
      if (stopping)
        wake = std::min(wake, stop_deadline);
      else if (!queue.empty() && transport.in_flight() < concurrency)
        wake = std::min(wake, max_speed() ? now : wall_of(queue.top().due_ms));
      if (!stopping && options.max_duration_us >= 0) wake = std::min(wake, wall_start + options.max_duration_us);
      if (!wakes.empty()) wake = std::min(wake, wakes.top().at);
      // At max speed calls are admitted at the top of the loop as the queue
      // reaches them; only a finite speed waits for the next call's time.
      if (!max_speed() && !stopping) {
        const std::int64_t next_start = admission.next_start();
        if (next_start != k_never_ms) wake = std::min(wake, wall_of(next_start));
      }
      done.clear();
      transport.poll(done, std::max<std::int64_t>(0, wake - now));
      const util::MonoUs after = clock.now_us();
      for (const auto& result : done) items.prefetch(static_cast<std::uint32_t>(result.id));
      for (auto& result : done) complete(result, after);
      if (!done.empty() && options.on_results) options.on_results();

      if (after >= next_tick) {
        if (options.on_tick) options.on_tick(static_cast<double>(after - wall_start) / 1e6, transport.in_flight());
        next_tick = after + k_tick_us;
      }
    }
    RunOutcome outcome;
    outcome.calls = calls;
    outcome.legs = legs;
    outcome.virtual_span_ms = last_due_ms > 0 ? last_due_ms - plan.scenario.epoch_ms : 0;
    // Interrupted at a finite speed, the virtual clock ran to the stop, not
    // only to the last delivery sent.
    if (stopping && !max_speed())
      outcome.virtual_span_ms = std::max(outcome.virtual_span_ms, virtual_now(clock.now_us()) - plan.scenario.epoch_ms);
    outcome.wall_s = static_cast<double>(clock.now_us() - wall_start) / 1e6;
    outcome.first_send_us = first_send_us;
    outcome.started_us = wall_start;
    outcome.interrupted = stopping;
    outcome.max_duration_reached = max_duration_reached;
    return outcome;
  }
};

Engine::Engine(const RunPlan& plan, delivery::Transport& transport, const util::Clock& clock, report::RunStats& stats,
               journal::JournalWriter* journal, EngineOptions options)
    : m_state(std::make_unique<State>(plan, transport, clock, stats, journal, std::move(options))) {}

Engine::~Engine() = default;

RunOutcome Engine::run() { return m_state->run(); }

}  // namespace callhook::engine
