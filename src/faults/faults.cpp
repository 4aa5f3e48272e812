// Faults on purpose.
//
// Why per batch. A vendor profile hands the engine a session's deliveries in
// batches: everything it can plan before the next handshake answer is
// needed. Faults act on one batch at a time because that is all that exists
// yet (the next batch depends on the receiver's answer) and because a fault
// must never move a delivery across a handshake: the blocking delivery that
// closes a batch stays its last entry. It may be delayed, dropped or have
// copies (which are ordinary, non-blocking deliveries), but every other
// delivery of the batch is due no later than it, so the session never
// continues before the vendor would have.
//
// Determinism. `apply` draws one number from the session's fault generator
// per batch and derives from it a separate generator for each decision,
// keyed by (the delivery's position in the vendor's batch, its copy number,
// the fault's name). The same seed therefore bends the same deliveries the
// same way, and turning one fault on or off, or changing its numbers,
// leaves every other fault's choices where they were. The passes run in a
// fixed order: delay, reorder (random window, then named patterns),
// duplicate, drop, stale timestamp, bad signature, schema drift; a final
// stable sort by due time keeps the vendor's order among equal times.
// Reorder's p is used twice: per delivery for a move later by up to
// window_ms (when a window is set), and per occurrence of each named pattern.
//
// Accounting. Nothing leaves the batch: a dropped delivery stays in it with
// dropped = true, so the engine can count it as dropped on purpose (and, for
// a dropped handshake, resume the session as if it went unanswered).
// Copies and drifted events are extra planned deliveries. "duplicate" marks
// only the copies, and a drifted event carries just "schema_drift", so the
// fault names in the journal count the extra deliveries exactly. planned_ms
// is the vendor's due time for originals and the source's for the extras.
#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "faults/drift.hpp"
#include "faults/faults.hpp"
#include "faults/work.hpp"

namespace callhook::faults {

namespace {

// Takes the vendor's batch and looks up each delivery's plan once.
std::vector<Planned> take(std::vector<vendors::Delivery>& batch, const scenario::Stream& stream) {
  std::vector<Planned> items;
  items.reserve(batch.size() * 2);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    const scenario::FaultPlan* plan = &plan_for(stream, batch[i].event);
    items.push_back({std::move(batch[i]), i, plan});
  }
  return items;
}

// A delay drawn from the plan's distribution, whole ms, never negative.
void delay_pass(std::vector<Planned>& items, const Draws& draws) {
  for (auto& item : items) {
    if (!item.plan->delay) continue;
    util::Rng rng = draws.rng(item.origin, 0, "delay");
    if (!rng.chance(item.plan->delay->p)) continue;
    const double ms = item.plan->delay->ms.sample(rng);
    item.delivery.due_ms += std::max<std::int64_t>(0, std::llround(ms));
    mark(item.delivery, "delay");
  }
}

// Moves deliveries later within the window; handshakes stay in place.
void window_pass(std::vector<Planned>& items, const Draws& draws) {
  for (auto& item : items) {
    const auto& reorder = item.plan->reorder;
    if (!reorder || reorder->window_ms <= 0 || item.delivery.blocking) continue;
    util::Rng rng = draws.rng(item.origin, 0, "reorder");
    if (!rng.chance(reorder->p)) continue;
    item.delivery.due_ms += rng.range(1, reorder->window_ms);
    mark(item.delivery, "reorder");
  }
}

// Adds copies after each chosen original, spacing_ms apart.
void duplicate_pass(std::vector<Planned>& items, const Draws& draws) {
  std::vector<Planned> out;
  out.reserve(items.size() * 2);
  for (auto& item : items) {
    const auto& duplicate = item.plan->duplicate;
    const bool fire = duplicate && duplicate->copies > 0 && draws.rng(item.origin, 0, "duplicate").chance(duplicate->p);
    out.push_back(std::move(item));
    if (!fire) continue;
    const Planned original = out.back();  // a copy: out grows below
    for (int n = 1; n <= duplicate->copies; ++n) {
      Planned copy = original;
      copy.delivery.copy = n;
      copy.delivery.blocking = false;
      copy.delivery.due_ms = original.delivery.due_ms + n * duplicate->spacing_ms;
      if (duplicate->new_id) copy.delivery.event_id += "-dup" + std::to_string(n);
      mark(copy.delivery, "duplicate");
      out.push_back(std::move(copy));
    }
  }
  items = std::move(out);
}

// Drop, stale timestamp, bad signature and lost ack: flags the engine acts on.
void flag_pass(std::vector<Planned>& items, const Draws& draws) {
  for (auto& item : items) {
    auto& d = item.delivery;
    if (draws.rng(item.origin, d.copy, "drop").chance(item.plan->drop_p)) {
      d.dropped = true;
      mark(d, "drop");
    }
    if (draws.rng(item.origin, d.copy, "stale_timestamp").chance(item.plan->stale_timestamp_p)) {
      d.stale_timestamp = true;
      mark(d, "stale_timestamp");
    }
    if (draws.rng(item.origin, d.copy, "bad_signature").chance(item.plan->bad_signature_p)) {
      d.bad_signature = true;
      mark(d, "bad_signature");
    }
    // Marked by the engine when it fires: only a 2xx with a retry left can be lost.
    if (draws.rng(item.origin, d.copy, "lost_ack").chance(item.plan->lost_ack_p)) d.lost_ack = true;
  }
}

// Unknown fields in bodies, and extra deliveries of unknown event types.
void drift_pass(std::vector<Planned>& items, const Draws& draws) {
  std::vector<Planned> out;
  out.reserve(items.size());
  for (auto& item : items) {
    auto& d = item.delivery;
    util::Rng field_rng = draws.rng(item.origin, d.copy, "schema_drift.field");
    if (field_rng.chance(item.plan->drift_field_p) && add_drift_field(d, field_rng)) mark(d, "schema_drift");
    std::optional<vendors::Delivery> extra;
    if (draws.rng(item.origin, d.copy, "schema_drift.event").chance(item.plan->drift_event_p)) extra = drift_event(d);
    const std::size_t origin = item.origin;
    const scenario::FaultPlan* plan = item.plan;
    out.push_back(std::move(item));
    if (extra) out.push_back({std::move(*extra), origin, plan});
  }
  items = std::move(out);
}

// Sorts by due time, keeping the handshake last: nothing else may be due
// after it.
void settle(std::vector<Planned>& items) {
  const auto blocking = std::find_if(items.begin(), items.end(), [](const Planned& p) { return p.delivery.blocking; });
  if (blocking != items.end()) {
    const std::int64_t limit = blocking->delivery.due_ms;
    for (auto& item : items) item.delivery.due_ms = std::min(item.delivery.due_ms, limit);
  }
  std::stable_sort(items.begin(), items.end(), [](const Planned& a, const Planned& b) {
    if (a.delivery.due_ms != b.delivery.due_ms) return a.delivery.due_ms < b.delivery.due_ms;
    return !a.delivery.blocking && b.delivery.blocking;
  });
}

bool any_plan(const scenario::Stream& stream) {
  if (stream.faults.any()) return true;
  return std::any_of(stream.event_faults.begin(), stream.event_faults.end(),
                     [](const auto& entry) { return entry.second.any(); });
}

}  // namespace

const scenario::FaultPlan& plan_for(const scenario::Stream& stream, const std::string& event) {
  const auto it = stream.event_faults.find(event);
  return it == stream.event_faults.end() ? stream.faults : it->second;
}

void apply(std::vector<vendors::Delivery>& batch, const scenario::Stream& stream, util::Rng& rng,
           vendors::Session* session) {
  // One draw per batch, whatever the plan, so later batches of the session
  // see the same generator state however the faults are configured.
  const Draws draws(rng.next());
  for (auto& d : batch) d.planned_ms = d.due_ms;
  if (!any_plan(stream)) return;

  std::vector<Planned> items = take(batch, stream);
  delay_pass(items, draws);
  window_pass(items, draws);
  end_ahead_of_handshake(items, stream, draws, session);
  reorder_patterns(items, stream.vendor, draws);
  duplicate_pass(items, draws);
  flag_pass(items, draws);
  drift_pass(items, draws);
  settle(items);

  batch.clear();
  batch.reserve(items.size());
  for (auto& item : items) batch.push_back(std::move(item.delivery));
}

}  // namespace callhook::faults
