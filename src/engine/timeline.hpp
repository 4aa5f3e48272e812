#pragma once
// Per-call order: which attempt of a call may go to the wire next.
//
// A real vendor sends a call's webhooks as the call happens: each when its
// moment comes, retries when their back-off ends. Replaying that faster than
// life must not let a call's end overtake its start just because sixty-four
// requests fit in flight at once. So the engine keeps, per call, the
// attempts on the wire and holds back any attempt whose turn on the call's
// virtual timeline has not come:
//
//  timeline    (default) an attempt goes only when every attempt of its call
//              due earlier (virtual due time, then planned order) has been
//              answered or has timed out. A retry is due at its retry time,
//              so a later event may overtake it, as with the real vendor.
//              Copies of one delivery made by the duplicate fault with
//              spacing 0 (same planned position, same due time) go together:
//              the race a receiver's de-duplication must survive. So do
//              copies of one scripted step marked "together".
//  concurrent  what a real vendor's sends allow at any speed: an attempt may
//              overlap an earlier one of its call once that one has been in
//              flight for as long as the virtual gap between them, in real
//              milliseconds.
//  strict      one delivery at a time: the next waits until the previous is
//              final, retries included. Copies of one scripted step marked
//              "together" share the turn: they go at once.
//
// Attempts of one call are handed to the gate in due order (the engine's
// queue is keyed by due time, then planned order), so "earlier" only ever
// means an attempt already in flight. Calls never wait for each other.
#include <cstdint>
#include <limits>
#include <vector>

#include "engine/plan.hpp"
#include "util/clock.hpp"

namespace callhook::engine {

constexpr util::MonoUs k_no_time = std::numeric_limits<util::MonoUs>::max();

// One attempt's place on its call's timeline.
struct TimelinePlace {
  std::uint32_t item = 0;        // the engine's token for the delivery
  std::int64_t due_ms = 0;       // virtual due time of this attempt
  std::uint64_t plan_order = 0;  // planned order (ties at one due time)
  std::uint32_t seq = 0;         // the delivery's planned position; copies share it
  util::MonoUs sent_us = 0;      // wall time the attempt was sent (in flight only)
  std::uint32_t together = 0;    // nonzero: copies sent at once share it (Delivery::together)
};

class CallTimeline {
 public:
  CallTimeline() = default;
  explicit CallTimeline(Ordering ordering) : m_ordering(ordering) {}

  // When `next` may be sent: `now` when it may go at once, a later wall time
  // (concurrent: when the gap has passed), or k_no_time (until an answer or
  // a final result of the call changes things).
  util::MonoUs release_at(const TimelinePlace& next, util::MonoUs now) const;

  // The attempt went to the wire at place.sent_us.
  void sent(const TimelinePlace& place);
  // The attempt of `item` on the wire was answered or timed out.
  void answered(std::uint32_t item);
  // The delivery `item` is final (strict: the call's turn passes on).
  void finished(std::uint32_t item);

  std::size_t in_flight() const { return m_in_flight.size(); }
  Ordering ordering() const { return m_ordering; }

 private:
  Ordering m_ordering = Ordering::Timeline;
  std::vector<TimelinePlace> m_in_flight;
  // Strict: the deliveries whose turn it is, not yet final (several only
  // for copies sent together).
  std::vector<TimelinePlace> m_turn;
};

}  // namespace callhook::engine
