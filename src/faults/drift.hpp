#pragma once
// Schema drift: what a vendor's next release looks like to a receiver that
// was written against today's documents (new fields, new event types).
#include <optional>

#include "util/rng.hpp"
#include "vendors/delivery.hpp"

namespace callhook::faults {

// The top-level JSON key and the form parameter that drift adds.
inline constexpr const char* k_drift_json_key = "x_callhook_drift";
inline constexpr const char* k_drift_param = "X.Drift";
// Appended to an event name to make an event type no receiver knows.
inline constexpr const char* k_drift_event_suffix = ".drift";

// Adds an unknown field to the body (a top-level key for JSON objects, a
// parameter for forms and queries). False when the body has no place for one.
bool add_drift_field(vendors::Delivery& delivery, util::Rng& rng);

// A copy of the delivery whose event name (at its event_field) is unknown,
// marked "schema_drift"; nullopt when the name cannot be found in the body.
std::optional<vendors::Delivery> drift_event(const vendors::Delivery& delivery);

}  // namespace callhook::faults
