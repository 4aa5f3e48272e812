#pragma once
// Out of order: one definition for the run's own count, the report rebuilt
// from its journal and the HTML timeline's marks.
//
// A call lives its events in an order its vendor knows: Voiceflow's call
// start before its end and a session around its calls, VoiceBot's
// session_start before its transcripts (in turn order) and session_end, a
// recording after the call's end. Each profile plans a call's deliveries in
// exactly that order, so a delivery's place in its call's lifecycle is its
// planned position `Delivery::seq`: the vendor's order before any fault
// moved a due time. Copies (duplicate and drift faults, a script's
// `copies`) share their original's place, and a scripted step keeps the
// place its event has in its call's plan, whatever the script's order. A
// place is judged against the other places of its lifecycle: a vendor
// session (every leg of a Voiceflow caller who calls back), or one call of
// a script.
//
// A delivery is out of order when it is delivered (its accepted answer
// arrives) after a delivery of its lifecycle with a later place. Only
// delivered deliveries count and move the lifecycle on; a delivery that
// needed retries is judged once, when it is delivered, so a retry that a
// later event overtook counts, as it would at the receiver.
#include <cstdint>

namespace callhook::vendors {

// The furthest place delivered so far in one call's lifecycle.
struct LifecycleOrder {
  std::int64_t furthest = -1;  // none delivered yet

  // The delivery at `place` was delivered: true when one with a later place
  // was delivered before it (the delivery arrived out of order).
  bool delivered(std::int64_t place) {
    const bool late = place < furthest;
    if (place > furthest) furthest = place;
    return late;
  }
};

}  // namespace callhook::vendors
