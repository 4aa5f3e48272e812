#pragma once
// A batch from a vendor session made ready to queue: numbered in planned
// order, the scenario's overrides applied, idempotency ids given, then bent
// by the stream's faults.
#include <cstdint>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/rng.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::engine {

// `first_seq` is the number of the batch's first delivery within its call;
// ids derive from (seed, stream, call index, seq), so they are the same on
// every run. Ids come before faults: an identical copy shares its
// original's id (the at-least-once case); a new_id copy gets one of its own.
// `session` lets a fault ask the vendor for an event ahead of its batch
// (end_before_start across a handshake); null for scripted deliveries.
void prepare_batch(std::vector<vendors::Delivery>& batch, const scenario::Stream& stream, std::uint64_t seed,
                   std::size_t stream_index, std::uint64_t call_index, std::uint32_t first_seq, util::Rng& fault_rng,
                   vendors::Session* session);

}  // namespace callhook::engine
