#pragma once
// Faults that cannot act are errors: a fault counts as fired only when it
// changes the bytes on the wire, so a plan that asks for one where it can
// change nothing is refused (validate and run, exit 2), with the reason.
//   stale_timestamp  needs a signature that carries a timestamp ("standard",
//                    "svix"); X-Signature has none, "none" signs nothing.
//   bad_signature    needs a signature ("standard", "svix", "x-signature").
//   lost_ack         needs retries (max_attempts above 1, retried on "connect"):
//                    the vendor must send the delivery again.
//   reorder.patterns needs events the pattern moves: an end (end_before_start),
//                    a recording that follows the end (recording_before_end),
//                    transcripts (transcripts_out_of_sequence).
// Checked for the stream's plan and for each event's own plan. A stream-level
// fault inherited by an event where it cannot act (that event signs with
// another scheme, or does not retry) is switched off for that event rather
// than refused.
#include <cstddef>
#include <string>

#include "engine/plan.hpp"

namespace callhook::engine {

// Why a lost ack cannot act under `retry`, or "" when it can: the vendor
// must send the delivery again after an answer it did not get.
std::string lost_ack_problem(const scenario::RetryPolicy& retry);

void check_faults(scenario::Stream& stream, std::size_t index, const StreamPlan& plan, util::Problems& problems);

}  // namespace callhook::engine
