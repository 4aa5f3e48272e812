#pragma once
// The headers of one HTTP attempt of a delivery, exactly as the engine sends
// them: content type, user agent, the vendor's headers, and the signature of
// the stream's signing scheme (skipped when `sign` is false, for probes).
#include <cstdint>

#include "engine/plan.hpp"
#include "util/header.hpp"
#include "vendors/delivery.hpp"

namespace callhook::engine {

// signature_time_s: the attempt's (virtual) Unix time in seconds, which the
// timestamped schemes sign.
util::Headers attempt_headers(const vendors::Delivery& delivery, const EventSettings& settings,
                              std::int64_t signature_time_s, bool sign = true);

}  // namespace callhook::engine
