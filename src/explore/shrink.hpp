#pragma once
// Shrinking a failing variant to a minimal one, as QuickCheck and delta
// debugging do: try one smaller change at a time and keep each that still
// fails, until none does. Deterministic: the same answers give the same
// result, so one seed gives one minimal scenario.
#include <cstddef>
#include <functional>
#include <vector>

#include "explore/variants.hpp"

namespace callhook::explore {

// Whether these steps fail against the receiver.
using Oracle = std::function<bool(const std::vector<Step>& steps)>;

// The steps sorted into the planned order, each delivery once, with no
// copies, no lost ack: what the
// receiver must take without failing for a failure of the same deliveries
// to be about their order or their repeats.
std::vector<Step> planned_control(std::vector<Step> steps);

// The passes, repeated until none changes anything:
//  1. remove a step, when the rest still fails and the rest's planned
//     control passes (else the failure would be the missing delivery's:
//     a call whose end was never sent is rightly still active);
//  2. remove two steps, on the same terms (a call leg's start and end,
//     which make sense only together);
//  3. send a repeated step once fewer;
//  4. drop a flag: copies sent one after another rather than together, an
//     acknowledgement let through;
//  5. undo a swap: two neighbours out of planned order put back in it.
// Every candidate is in canonical form (variants.hpp).
// `failing` must fail; the result fails too and is no longer than it.
std::vector<Step> shrink(std::vector<Step> failing, const Oracle& fails);

}  // namespace callhook::explore
