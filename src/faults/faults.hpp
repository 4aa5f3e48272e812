#pragma once
// Faults on purpose: seeded transforms of one session's planned deliveries.
#include <map>
#include <string>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"
#include "util/rng.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::faults {

// Applies the stream's fault plan (and per-event plans) to one batch of a
// session's deliveries, in place: sets planned_ms, may move due times, add
// copies, mark drops and signature/timestamp faults, add drift. Records
// every fault that fired in Delivery::faults. The batch stays sorted by due.
// Draws exactly one number from `rng` per call, whatever the plan.
// `session` (may be null) is the batch's session, asked to send an end ahead
// of a handshake for end_before_start (see patterns.cpp).
void apply(std::vector<vendors::Delivery>& batch, const scenario::Stream& stream, util::Rng& rng,
           vendors::Session* session = nullptr);

// The plan that governs `event`: the event's own plan when the stream has
// one (the loader builds it from the stream's plan plus the keys the event
// sets, so an event can also switch a stream-level fault off), else the
// stream's plan.
const scenario::FaultPlan& plan_for(const scenario::Stream& stream, const std::string& event);

// Sets fields of the body: JSON pointer -> value for JSON bodies, parameter
// name (leading '/' ignored) -> value for form or query bodies. Throws
// std::invalid_argument naming the pointer when a JSON body cannot take it.
void apply_overrides(vendors::Delivery& delivery, const std::map<std::string, util::Json>& overrides);

}  // namespace callhook::faults
