// The scheduler.
//
// Time. A run has two clocks: virtual time (unix ms from the scenario's
// epoch, what payloads show) and wall time (the Clock). With a finite speed
// a delivery due at virtual v goes out at wall start + (v - epoch) / speed.
// With speed "max" wall time plays no part: the scheduler always takes the
// earliest due delivery next, so order is kept and only the transport's pace
// limits the run.
//
// Laziness. Calls are admitted only when the virtual clock (or, at max
// speed, the earliest pending delivery) reaches their start, so memory holds
// just the sessions alive at once, never the whole population.
//
// Sessions. A vendor Session hands out its deliveries in batches; a batch
// ends with at most one blocking delivery (a handshake). When that delivery
// is final (delivered, failed or dropped) its answer goes back to the
// session, which returns the next batch. Faults bend each batch as it
// arrives. Under strict ordering a session's next delivery waits until the
// previous one is final; otherwise deliveries overlap freely, as in life.
//
// Accounting. Every delivery put in the queue ends exactly once, as
// delivered, failed (its retries spent) or dropped (a drop fault); the
// report checks planned = delivered + failed + dropped at the end.
#include "engine/engine.hpp"

#include <algorithm>
#include <deque>
#include <limits>
#include <queue>
#include <unordered_map>

#include "delivery/retry.hpp"
#include "delivery/signing.hpp"
#include "engine/attempt_headers.hpp"
#include "engine/script.hpp"
#include "faults/faults.hpp"
#include "journal/journal.hpp"
#include "population/population.hpp"
#include "util/ids.hpp"
#include "util/url.hpp"

namespace callhook::engine {
namespace {

constexpr std::int64_t k_never = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t k_tick_us = 200000;  // progress callback period

// One planned delivery (or a state probe) waiting, in flight, or retrying.
struct Item {
  vendors::Delivery d;
  std::uint32_t session = 0;
  std::size_t stream = 0;
  std::string key;         // "<stream>.<call index>.<n>": stable across reruns
  int attempts = 0;        // attempts made so far
  std::int64_t due_ms = 0; // due time of the next attempt (virtual)
  util::Headers sent_headers;  // the last attempt's, kept for the journal
  bool probe = false;
};

struct SessionSlot {
  std::unique_ptr<vendors::Session> vendor;
  std::size_t stream = 0;
  std::uint64_t call_index = 0;
  std::string call_id;
  std::uint32_t open = 0;        // items of this session not yet final
  std::uint32_t numbered = 0;    // items numbered so far (for keys)
  bool awaiting = false;         // a blocking delivery is not final yet
  bool strict = false;
  bool busy = false;             // strict: a delivery is in flight or retrying
  std::vector<std::uint32_t> parked;  // strict: items waiting their turn
  std::int64_t max_seq_delivered = -1;
  std::int64_t last_due_ms = 0;
  util::Rng fault_rng{0};
  util::Rng retry_rng{0};
  bool live = false;
};

struct QueueEntry {
  std::int64_t due_ms;
  std::uint64_t order;
  std::uint32_t item;
  bool operator>(const QueueEntry& o) const { return due_ms != o.due_ms ? due_ms > o.due_ms : order > o.order; }
};

std::string fill_template(std::string text, const std::string& call_id) {
  const std::string token = "{call_id}";
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + call_id.size()))
    text.replace(at, token.size(), util::form_encode(call_id));
  return text;
}

}  // namespace

struct Engine::State {
  const RunPlan& plan;
  delivery::Transport& transport;
  const util::Clock& clock;
  report::RunStats& stats;
  journal::JournalWriter* journal;
  EngineOptions options;

  std::vector<population::StreamPopulation> populations;
  std::vector<std::int64_t> live_per_stream;
  std::vector<Item> items;
  std::vector<std::uint32_t> free_items;
  std::vector<SessionSlot> sessions;
  std::vector<std::uint32_t> free_sessions;
  std::priority_queue<QueueEntry, std::vector<QueueEntry>, std::greater<>> queue;
  std::uint64_t order = 0;
  std::unordered_map<std::string, util::Url> url_cache;
  std::vector<delivery::HttpResult> done;

  util::MonoUs wall_start = 0;
  std::int64_t frontier_ms = 0;  // virtual time reached (max speed: last due dispatched)
  std::int64_t last_due_ms = 0;
  std::int64_t first_send_us = -1;
  std::int64_t calls = 0;
  std::size_t live_sessions = 0;

  State(const RunPlan& p, delivery::Transport& t, const util::Clock& c, report::RunStats& s,
        journal::JournalWriter* j, EngineOptions o)
      : plan(p), transport(t), clock(c), stats(s), journal(j), options(std::move(o)) {
    for (std::size_t i = 0; i < plan.scenario.streams.size(); ++i) populations.emplace_back(plan.scenario, i);
    live_per_stream.assign(plan.scenario.streams.size(), 0);
    frontier_ms = plan.scenario.epoch_ms;
  }

  bool max_speed() const { return options.speed <= 0; }

  std::int64_t virtual_now(util::MonoUs now) const {
    if (max_speed()) return frontier_ms;
    return plan.scenario.epoch_ms + static_cast<std::int64_t>(static_cast<double>(now - wall_start) / 1000.0 *
                                                              options.speed);
  }

  util::MonoUs wall_of(std::int64_t due_ms) const {
    if (max_speed()) return 0;
    return wall_start +
           static_cast<util::MonoUs>(static_cast<double>(due_ms - plan.scenario.epoch_ms) * 1000.0 / options.speed);
  }

  // --- items and sessions -------------------------------------------------

  std::uint32_t new_item() {
    if (!free_items.empty()) {
      const std::uint32_t i = free_items.back();
      free_items.pop_back();
      items[i] = Item{};
      return i;
    }
    items.emplace_back();
    return static_cast<std::uint32_t>(items.size() - 1);
  }

  void release_item(std::uint32_t i) {
    items[i].d = vendors::Delivery{};
    items[i].key.clear();
    free_items.push_back(i);
  }

  std::uint32_t new_session() {
    if (!free_sessions.empty()) {
      const std::uint32_t s = free_sessions.back();
      free_sessions.pop_back();
      sessions[s] = SessionSlot{};
      return s;
    }
    sessions.emplace_back();
    return static_cast<std::uint32_t>(sessions.size() - 1);
  }

  void push(std::uint32_t item) { queue.push({items[item].due_ms, order++, item}); }

  // Faults, numbering and queueing for one batch of a session.
  void enqueue_batch(std::uint32_t s, std::vector<vendors::Delivery> batch) {
    SessionSlot& session = sessions[s];
    const auto& stream = plan.scenario.streams[session.stream];
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].seq = session.numbered + static_cast<std::uint32_t>(i);
    for (auto& d : batch) {
      if (auto it = stream.overrides.find(d.event); it != stream.overrides.end())
        faults::apply_overrides(d, it->second);
    }
    // Ids before faults: an identical copy shares its original's id (the
    // at-least-once case); a new_id copy gets one of its own.
    for (auto& d : batch) {
      if (!d.event_id.empty()) continue;
      util::Rng id_rng(util::derive(util::derive(plan.scenario.seed, session.stream, session.call_index, "event-id"), d.seq));
      d.event_id = "msg_" + util::base62_id(id_rng, 27);
    }
    faults::apply(batch, stream, session.fault_rng);
    for (auto& d : batch) {
      const std::uint32_t i = new_item();
      Item& item = items[i];
      item.session = s;
      item.stream = session.stream;
      item.key = std::to_string(session.stream) + "." + std::to_string(session.call_index) + "." +
                 std::to_string(session.numbered++);
      if (d.blocking) session.awaiting = true;
      item.due_ms = d.due_ms;
      item.d = std::move(d);
      ++session.open;
      stats.on_planned(item.d.event);
      push(i);
    }
  }

  void open_session(std::size_t stream, population::Call call) {
    const std::uint32_t s = new_session();
    SessionSlot& session = sessions[s];
    session.stream = stream;
    session.call_index = call.index;
    session.live = true;
    session.strict = plan.streams[stream].for_event("").strict;
    session.fault_rng = util::Rng(util::derive(plan.scenario.seed, stream, call.index, "faults"));
    session.retry_rng = util::Rng(util::derive(plan.scenario.seed, stream, call.index, "retry"));
    session.vendor = plan.streams[stream].vendor->open(call);
    ++live_per_stream[stream];
    ++live_sessions;
    ++calls;
    stats.on_call_started();
    auto batch = session.vendor->start();
    if (!batch.empty()) sessions[s].call_id = batch.front().call_id;
    enqueue_batch(s, std::move(batch));
    maybe_close(s);
  }

  void open_script() {
    if (plan.script.empty()) return;
    auto script = plan.script;
    const std::uint32_t s = new_session();
    SessionSlot& session = sessions[s];
    session.stream = plan.scenario.script.front().stream;
    session.call_index = k_script_call_index;
    session.live = true;
    session.strict = true;  // a script is an exact order
    session.fault_rng = util::Rng(util::derive(plan.scenario.seed, 0, k_script_call_index, "faults"));
    session.retry_rng = util::Rng(util::derive(plan.scenario.seed, 0, k_script_call_index, "retry"));
    ++live_sessions;
    calls += static_cast<std::int64_t>(plan.script_calls);
    // Scripted deliveries are exact: no faults, numbered in script order.
    for (auto& d : script) {
      const std::uint32_t i = new_item();
      Item& item = items[i];
      item.session = s;
      item.stream = session.stream;
      d.seq = session.numbered;
      d.planned_ms = d.due_ms;
      item.key = "script." + std::to_string(session.numbered++);
      item.due_ms = d.due_ms;
      item.d = std::move(d);
      ++session.open;
      stats.on_planned(item.d.event);
      push(i);
    }
  }

  // A session with nothing open and no handshake pending is over.
  void maybe_close(std::uint32_t s) {
    SessionSlot& session = sessions[s];
    if (!session.live || session.open > 0 || session.awaiting) return;
    session.live = false;
    --live_sessions;
    if (session.call_index != k_script_call_index) {
      --live_per_stream[session.stream];
      stats.on_call_ended();
      schedule_probe(session);
    }
    session.vendor.reset();
    free_sessions.push_back(s);
  }

  void schedule_probe(const SessionSlot& session) {
    const auto& probe = plan.scenario.streams[session.stream].probe;
    if (!probe || session.call_id.empty()) return;
    const std::uint32_t i = new_item();
    Item& item = items[i];
    item.probe = true;
    item.session = std::numeric_limits<std::uint32_t>::max();
    item.stream = session.stream;
    item.d.event = "probe";
    item.d.method = "GET";
    item.d.content_type.clear();
    item.d.call_id = session.call_id;
    item.d.url = fill_template(probe->url_template, session.call_id);
    item.due_ms = session.last_due_ms + probe->after_ms;
    push(i);
  }

  // --- admission ----------------------------------------------------------

  // Starts the calls whose time has come (and whose stream has room).
  void admit(std::int64_t horizon_ms) {
    for (std::size_t s = 0; s < populations.size(); ++s) {
      auto& pop = populations[s];
      const auto& cap = plan.scenario.streams[s].calls.max_concurrent;
      while (auto start = pop.peek_start()) {
        if (*start > horizon_ms) break;
        if (cap && live_per_stream[s] >= *cap) break;
        population::Call call = pop.next();
        // A call held back by the concurrency cap starts when it gets a slot.
        call.start_ms = std::max(call.start_ms, std::min(horizon_ms, frontier_ms));
        open_session(s, std::move(call));
      }
    }
  }

  std::int64_t next_call_start() const {
    std::int64_t next = k_never;
    for (std::size_t s = 0; s < populations.size(); ++s) {
      const auto& cap = plan.scenario.streams[s].calls.max_concurrent;
      if (cap && live_per_stream[s] >= *cap) continue;
      if (auto start = populations[s].peek_start()) next = std::min(next, *start);
    }
    return next;
  }

  bool populations_done() const {
    for (const auto& p : populations)
      if (p.peek_start()) return false;
    return true;
  }

  // --- sending --------------------------------------------------------------

  const util::Url* url_of(const std::string& text) {
    auto it = url_cache.find(text);
    if (it == url_cache.end()) {
      if (url_cache.size() > 4096) url_cache.clear();
      auto parsed = util::parse_url(text);
      if (!parsed) return nullptr;
      it = url_cache.emplace(text, *parsed).first;
    }
    return &it->second;
  }

  const EventSettings& settings_of(const Item& item) const {
    return plan.streams[item.stream].for_event(item.d.event);
  }

  // The attempt's virtual time, or a stale one for a stale_timestamp fault.
  std::int64_t signature_time_s(const Item& item) const {
    std::int64_t ms = item.due_ms;
    if (item.d.stale_timestamp)
      ms -= faults::plan_for(plan.scenario.streams[item.stream], item.d.event).stale_by_ms;
    return ms / 1000;
  }

  void dispatch(std::uint32_t i, util::MonoUs now) {
    Item& item = items[i];
    frontier_ms = std::max(frontier_ms, item.due_ms);
    last_due_ms = std::max(last_due_ms, item.due_ms);
    if (!item.probe) {
      SessionSlot& session = sessions[item.session];
      session.last_due_ms = std::max(session.last_due_ms, item.due_ms);
      if (item.d.dropped) {
        finish(i, report::Final::Dropped, "dropped by a fault", nullptr);
        return;
      }
      // A retry is the session's current delivery, never parked behind itself.
      if (session.strict && session.busy && item.attempts == 0) {
        session.parked.push_back(i);
        return;
      }
      session.busy = true;
    }
    const EventSettings& settings = settings_of(item);
    delivery::HttpRequest request;
    request.id = i;
    request.method = item.d.method;
    const util::Url* url = url_of(item.d.url);
    if (!url) {
      delivery::HttpResult bad;
      bad.id = i;
      bad.error = delivery::ErrorKind::Protocol;
      bad.error_text = "invalid URL \"" + item.d.url + "\"";
      bad.started_us = now;
      complete(bad, now);
      return;
    }
    request.url = *url;
    request.headers = request_headers(item);
    if (journal) item.sent_headers = request.headers;
    request.body = item.d.body;
    // Wait a little past the vendor's limit, so a slow 2xx is seen (and
    // reported as too slow) rather than cut off.
    request.timeout_ms = settings.timeout_ms + std::min<std::int64_t>(settings.timeout_ms / 2, 5000);
    request.connect_timeout_ms = settings.connect_timeout_ms;
    ++item.attempts;
    if (first_send_us < 0) first_send_us = clock.now_us() - wall_start;
    transport.submit(std::move(request));
  }

  // One attempt ended.
  void complete(const delivery::HttpResult& result, util::MonoUs now) {
    const std::uint32_t i = static_cast<std::uint32_t>(result.id);
    Item& item = items[i];
    if (item.probe) {
      finish_probe(i, result);
      return;
    }
    SessionSlot& session = sessions[item.session];
    const EventSettings& settings = settings_of(item);
    const delivery::Verdict verdict = delivery::judge(result, settings.timeout_ms);
    const bool retry = verdict != delivery::Verdict::Delivered &&
                       delivery::should_retry(settings.retry, result, verdict, item.attempts);
    const std::int64_t lateness_us = max_speed() ? 0 : std::max<std::int64_t>(0, result.started_us - wall_of(item.due_ms));

    report::AttemptEvent a;
    a.event = item.d.event;
    a.call_id = item.d.call_id;
    a.attempt = item.attempts;
    a.status = result.status;
    a.error = result.error;
    a.too_slow = verdict == delivery::Verdict::TooSlow;
    a.will_retry = retry;
    a.latency_us = result.latency_us;
    a.lateness_us = lateness_us;
    a.sent_at_us = result.started_us - wall_start;
    stats.on_attempt(a);
    if (journal) write_attempt(item, result, verdict, retry);

    if (verdict == delivery::Verdict::Delivered) {
      const bool out_of_order = static_cast<std::int64_t>(item.d.seq) < session.max_seq_delivered;
      session.max_seq_delivered = std::max<std::int64_t>(session.max_seq_delivered, item.d.seq);
      finish(i, report::Final::Delivered, "", &result, out_of_order);
      return;
    }
    if (retry) {
      const std::int64_t base = max_speed() ? item.due_ms : std::max(item.due_ms, virtual_now(now));
      item.due_ms = base + delivery::backoff_ms(settings.retry, item.attempts, session.retry_rng,
                                                result.retry_after, base);
      push(i);
      return;
    }
    finish(i, report::Final::Failed, failure_reason(result, verdict, item.attempts), &result);
  }

  static std::string failure_reason(const delivery::HttpResult& r, delivery::Verdict verdict, int attempts) {
    std::string what;
    if (verdict == delivery::Verdict::TooSlow)
      what = "answered " + std::to_string(r.status) + " after " + std::to_string(r.latency_us / 1000) +
             " ms, past the vendor's timeout";
    else if (r.error != delivery::ErrorKind::None)
      what = std::string(delivery::error_name(r.error)) + (r.error_text.empty() ? "" : " (" + r.error_text + ")");
    else
      what = "status " + std::to_string(r.status);
    return what + " after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
  }

  // A delivery is final: account for it, free its session's turn, and feed a
  // blocking answer back to the session.
  void finish(std::uint32_t i, report::Final result, const std::string& reason, const delivery::HttpResult* last,
              bool out_of_order = false) {
    Item& item = items[i];
    SessionSlot& session = sessions[item.session];
    report::FinalEvent f;
    f.event = item.d.event;
    f.call_id = item.d.call_id;
    f.delivery = i;
    f.result = result;
    f.attempts = item.attempts;
    f.out_of_order = out_of_order;
    f.faults = item.d.faults;
    f.reason = reason;
    stats.on_final(f);
    if (journal) write_final(item, result, reason);

    const bool was_busy = item.attempts > 0;
    vendors::Delivery blocking;
    const bool is_blocking = item.d.blocking;
    if (is_blocking) blocking = std::move(item.d);
    --session.open;
    const std::uint32_t s = item.session;
    release_item(i);

    if (was_busy && sessions[s].strict) {
      sessions[s].busy = false;
      release_parked(s);
    } else if (was_busy) {
      sessions[s].busy = false;
    }
    if (is_blocking) {
      vendors::Answer answer;
      answer.delivered = result == report::Final::Delivered;
      if (last) {
        answer.status = last->status;
        answer.body = last->body;
        answer.error = last->error != delivery::ErrorKind::None ? delivery::error_name(last->error) : "";
        if (!answer.delivered && answer.error.empty() && last->status / 100 == 2) answer.error = "timeout";
      } else {
        answer.error = "dropped";
      }
      std::vector<vendors::Finding> findings;
      sessions[s].awaiting = false;
      auto next = sessions[s].vendor->resume(blocking, answer, findings);
      for (auto& finding : findings) {
        if (finding.call_id.empty()) finding.call_id = blocking.call_id;
        if (finding.event.empty()) finding.event = blocking.event;
        stats.on_finding(finding);
        if (journal) journal->finding(finding.call_id, finding.event, finding.message);
      }
      enqueue_batch(s, std::move(next));
    }
    maybe_close(s);
  }

  void release_parked(std::uint32_t s) {
    auto& parked = sessions[s].parked;
    if (parked.empty()) return;
    // The earliest planned delivery goes next.
    auto next = std::min_element(parked.begin(), parked.end(), [&](std::uint32_t a, std::uint32_t b) {
      return items[a].due_ms != items[b].due_ms ? items[a].due_ms < items[b].due_ms : items[a].d.seq < items[b].d.seq;
    });
    const std::uint32_t i = *next;
    parked.erase(next);
    push(i);
  }

  void finish_probe(std::uint32_t i, const delivery::HttpResult& result) {
    Item& item = items[i];
    const auto& probe = *plan.scenario.streams[item.stream].probe;
    report::ProbeResult p;
    p.call_id = item.d.call_id;
    p.url = item.d.url;
    if (result.error != delivery::ErrorKind::None || result.status / 100 != 2) {
      p.message = result.error != delivery::ErrorKind::None ? std::string(delivery::error_name(result.error))
                                                             : "status " + std::to_string(result.status);
    } else {
      const auto body = util::Json::parse(result.body, nullptr, false);
      if (body.is_discarded()) {
        p.message = "the answer is not JSON";
      } else {
        for (const auto& [pointer, expected] : probe.expect) {
          const util::Json::json_pointer ptr(pointer);
          if (!body.contains(ptr)) {
            p.message = pointer + ": missing, expected " + expected.dump();
            break;
          }
          if (body.at(ptr) != expected) {
            p.message = pointer + ": expected " + expected.dump() + ", got " + util::describe(body.at(ptr));
            break;
          }
        }
      }
    }
    p.passed = p.message.empty();
    stats.on_probe(p);
    release_item(i);
  }

  // --- journal --------------------------------------------------------------

  void write_attempt(Item& item, const delivery::HttpResult& r, delivery::Verdict verdict, bool retry) {
    journal::AttemptRecord rec;
    rec.delivery = item.key;
    rec.attempt = item.attempts;
    rec.stream = item.stream;
    rec.call = item.d.call_id;
    rec.event = item.d.event;
    rec.copy = item.d.copy;
    rec.method = item.d.method;
    rec.url = item.d.url;
    rec.headers = std::move(item.sent_headers);
    rec.body = item.d.body;
    rec.planned_ms = item.d.planned_ms;
    rec.due_ms = item.due_ms;
    rec.status = r.status;
    rec.error = r.error == delivery::ErrorKind::None ? "" : delivery::error_name(r.error);
    rec.verdict = verdict == delivery::Verdict::Delivered ? "delivered"
                  : verdict == delivery::Verdict::TooSlow ? "too_slow"
                                                          : "failed";
    rec.will_retry = retry;
    rec.faults = item.d.faults;
    rec.wall_offset_us = r.started_us - wall_start;
    rec.wall_latency_us = r.latency_us;
    rec.response = r.body;
    journal->attempt(rec);
  }

  // The headers of an attempt: vendor headers, then the signature, whose
  // timestamp is the attempt's virtual time.
  util::Headers request_headers(const Item& item) const {
    return attempt_headers(item.d, settings_of(item), signature_time_s(item), !item.probe);
  }

  void write_final(const Item& item, report::Final result, const std::string& reason) {
    journal::FinalRecord rec;
    rec.delivery = item.key;
    rec.stream = item.stream;
    rec.call = item.d.call_id;
    rec.event = item.d.event;
    rec.copy = item.d.copy;
    rec.result = result == report::Final::Delivered ? "delivered" : result == report::Final::Failed ? "failed" : "dropped";
    rec.attempts = item.attempts;
    rec.planned_ms = item.d.planned_ms;
    rec.faults = item.d.faults;
    rec.reason = reason;
    journal->final_record(rec);
  }

  // --- the loop ---------------------------------------------------------------

  RunOutcome run() {
    wall_start = clock.now_us();
    util::MonoUs next_tick = wall_start + k_tick_us;
    open_script();
    const auto concurrency = static_cast<std::size_t>(std::max<std::int64_t>(1, options.concurrency));
    for (;;) {
      const util::MonoUs now = clock.now_us();
      // At max speed the horizon is the earliest pending delivery: calls
      // start in virtual-time order with the deliveries already planned.
      const std::int64_t horizon =
          max_speed() ? (queue.empty() ? k_never : queue.top().due_ms) : virtual_now(now);
      admit(max_speed() && queue.empty() ? next_call_start() : horizon);

      while (!queue.empty() && transport.in_flight() < concurrency) {
        const QueueEntry top = queue.top();
        if (!max_speed() && wall_of(top.due_ms) > now) break;
        if (max_speed() && next_call_start() < top.due_ms) {
          admit(top.due_ms);
          if (queue.top().order != top.order) continue;  // an earlier delivery arrived
        }
        queue.pop();
        dispatch(top.item, now);
      }

      if (queue.empty() && transport.in_flight() == 0 && live_sessions == 0 && populations_done()) break;

      // Sleep in the transport until the next due time, a result, or a tick.
      util::MonoUs wake = next_tick;
      if (!queue.empty() && transport.in_flight() < concurrency)
        wake = std::min(wake, max_speed() ? now : wall_of(queue.top().due_ms));
      // At max speed calls are admitted at the top of the loop as the queue
      // reaches them; only a finite speed waits for the next call's time.
      if (!max_speed()) {
        const std::int64_t next_start = next_call_start();
        if (next_start != k_never) wake = std::min(wake, wall_of(next_start));
      }
      done.clear();
      transport.poll(done, std::max<std::int64_t>(0, wake - now));
      const util::MonoUs after = clock.now_us();
      for (const auto& result : done) complete(result, after);

      if (after >= next_tick) {
        if (options.on_tick) options.on_tick(static_cast<double>(after - wall_start) / 1e6, transport.in_flight());
        next_tick = after + k_tick_us;
      }
    }
    RunOutcome outcome;
    outcome.calls = calls;
    outcome.virtual_span_ms = last_due_ms > 0 ? last_due_ms - plan.scenario.epoch_ms : 0;
    outcome.wall_s = static_cast<double>(clock.now_us() - wall_start) / 1e6;
    outcome.first_send_us = first_send_us;
    outcome.started_us = wall_start;
    return outcome;
  }
};

Engine::Engine(const RunPlan& plan, delivery::Transport& transport, const util::Clock& clock, report::RunStats& stats,
               journal::JournalWriter* journal, EngineOptions options)
    : m_state(std::make_unique<State>(plan, transport, clock, stats, journal, std::move(options))) {}

Engine::~Engine() = default;

RunOutcome Engine::run() { return m_state->run(); }

}  // namespace callhook::engine
