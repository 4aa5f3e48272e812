// Named reorder patterns: the out-of-order deliveries receivers most often
// get wrong, made on purpose rather than hoped for from a random window.
// Each pattern fires per pair (or per batch, for transcripts) with the
// reorder probability of the plan of the delivery it moves, and only when
// both parts are in this batch: a handshake may split a session's events
// across batches, and a delivery already sent cannot be moved.
#include <algorithm>

#include "faults/faults.hpp"
#include "faults/roles.hpp"
#include "faults/work.hpp"
#include "util/ids.hpp"

namespace callhook::faults {

namespace {

constexpr std::string_view k_end_before_start = "end_before_start";
constexpr std::string_view k_recording_before_end = "recording_before_end";
constexpr std::string_view k_transcripts = "transcripts_out_of_sequence";

bool asks_for(const Planned& item, std::string_view pattern) {
  if (item.plan == nullptr || !item.plan->reorder) return false;
  const auto& patterns = item.plan->reorder->patterns;
  return std::find(patterns.begin(), patterns.end(), pattern) != patterns.end();
}

// Makes `later` go out before `earlier` the only way a vendor could: by
// holding `earlier` back until 1 ms after `later`, which keeps its own due
// time. An end is never sent before the call has ended (nor a recording
// before it is ready), and its body's times stay the ones it reports.
void put_before(vendors::Delivery& later, vendors::Delivery& earlier) {
  earlier.due_ms = std::max(earlier.due_ms, later.due_ms + 1);
}

// Moves each delivery of role `mover` ahead of the latest unpaired earlier
// delivery named by its partner (an end ahead of its start, say), by
// delaying the partner.
void pair_pattern(std::vector<Planned>& items, std::string_view vendor, const Draws& draws, Role mover,
                  std::string_view pattern) {
  std::vector<bool> paired(items.size(), false);
  for (std::size_t i = 0; i < items.size(); ++i) {
    auto& moving = items[i];
    const EventRole role = role_of(vendor, moving.delivery.event);
    if (role.role != mover || !asks_for(moving, pattern)) continue;
    std::size_t partner = items.size();
    for (std::size_t j = i; j-- > 0;) {
      if (!paired[j] && items[j].delivery.event == role.partner) {
        partner = j;
        break;
      }
    }
    if (partner == items.size()) continue;
    paired[partner] = true;
    util::Rng rng = draws.rng(moving.origin, 0, pattern);
    if (!rng.chance(moving.plan->reorder->p)) continue;
    auto& other = items[partner];
    // A handshake must stay the last of its batch.
    if (moving.delivery.blocking || other.delivery.blocking) continue;
    put_before(moving.delivery, other.delivery);
    mark(moving.delivery, pattern);
    mark(other.delivery, pattern);
  }
}

bool in_sequence(const std::vector<Planned>& items, const std::vector<std::size_t>& order) {
  for (std::size_t k = 1; k < order.size(); ++k)
    if (items[order[k - 1]].delivery.due_ms > items[order[k]].delivery.due_ms) return false;
  return true;
}

// Shuffles the due times of the batch's transcripts, and makes sure the
// result really is out of sequence.
void shuffle_transcripts(std::vector<Planned>& items, std::string_view vendor, const Draws& draws) {
  std::vector<std::size_t> transcripts;
  for (std::size_t i = 0; i < items.size(); ++i)
    if (!items[i].delivery.blocking && role_of(vendor, items[i].delivery.event).role == Role::Transcript)
      transcripts.push_back(i);
  if (transcripts.size() < 2) return;
  const Planned& first = items[transcripts.front()];
  if (!asks_for(first, k_transcripts)) return;
  util::Rng rng = draws.rng(first.origin, 0, k_transcripts);
  if (!rng.chance(first.plan->reorder->p)) return;

  std::vector<std::int64_t> due;
  for (std::size_t i : transcripts) due.push_back(items[i].delivery.due_ms);
  for (std::size_t k = due.size() - 1; k > 0; --k)
    std::swap(due[k], due[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(k)))]);
  for (std::size_t k = 0; k < transcripts.size(); ++k) items[transcripts[k]].delivery.due_ms = due[k];
  if (in_sequence(items, transcripts)) {
    // The shuffle left them in order: send the first one after the others.
    const std::int64_t last = *std::max_element(due.begin(), due.end());
    items[transcripts.front()].delivery.due_ms = last + 1;
  }
  for (std::size_t i : transcripts) mark(items[i].delivery, k_transcripts);
}

}  // namespace

void end_ahead_of_handshake(std::vector<Planned>& items, const scenario::Stream& stream, const Draws& draws,
                            vendors::Session* session) {
  if (session == nullptr || items.empty()) return;
  Planned& start = items.back();  // a handshake is the last of its batch
  if (!start.delivery.blocking || role_of(stream.vendor, start.delivery.event).role != Role::Start) return;
  const std::string end_event(end_of(stream.vendor, start.delivery.event));
  if (end_event.empty()) return;
  const scenario::FaultPlan& end_plan = plan_for(stream, end_event);
  Planned end_item{{}, items.size(), &end_plan};
  if (!asks_for(end_item, k_end_before_start)) return;
  util::Rng rng = draws.rng(start.origin, 0, "end_before_start.ahead");
  if (!rng.chance(end_plan.reorder->p)) return;
  auto end = session->send_ahead(end_event);
  if (!end) return;
  end_item.delivery = std::move(*end);
  // Planned after everything the vendor has planned so far; sent first.
  end_item.delivery.seq = start.delivery.seq + 1;
  if (end_item.delivery.event_id.empty()) {
    util::Rng id_rng = draws.rng(end_item.origin, 0, "event-id");
    end_item.delivery.event_id = "msg_" + util::base62_id(id_rng, 27);
  }
  // The end goes at the call's real end; the handshake waits until after it
  // (a start held back in the vendor's queue), so the end is never early.
  end_item.delivery.planned_ms = end_item.delivery.due_ms;
  start.delivery.due_ms = std::max(start.delivery.due_ms, end_item.delivery.due_ms + 1);
  mark(end_item.delivery, k_end_before_start);
  mark(start.delivery, k_end_before_start);
  items.insert(items.end() - 1, std::move(end_item));
}

void reorder_patterns(std::vector<Planned>& items, std::string_view vendor, const Draws& draws) {
  pair_pattern(items, vendor, draws, Role::End, k_end_before_start);
  pair_pattern(items, vendor, draws, Role::Recording, k_recording_before_end);
  shuffle_transcripts(items, vendor, draws);
}

}  // namespace callhook::faults
