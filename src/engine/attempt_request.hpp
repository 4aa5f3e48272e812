#pragma once
// One attempt as it goes to the wire: vendor headers, then the signature,
// made at send time.
#include <cstdint>

#include "delivery/transport.hpp"
#include "engine/plan.hpp"
#include "vendors/delivery.hpp"

namespace callhook::engine {

// The unix second a signature carries. The clock is the signing block's:
// "wall" signs with the wall-clock second the attempt is sent (what a
// receiver compares with its own clock), "virtual" with the attempt's
// virtual due time (identical on every rerun). A stale_timestamp fault moves
// whichever it is back by stale_by_ms.
std::int64_t signature_time_s(const scenario::Signing& signing, std::int64_t due_ms, std::int64_t wall_unix_ms,
                              std::int64_t stale_by_ms);

// The headers of an attempt: content type, user agent, the vendor's
// headers, then the signature (none for probes or scheme "none").
util::Headers attempt_headers(const vendors::Delivery& d, const scenario::Signing& signing,
                              std::int64_t signature_time_s, bool probe);
// The same, written over `into`: its elements and their strings keep their
// storage, so a caller that reuses one vector allocates nothing per attempt
// (signatures aside).
void attempt_headers(util::Headers& into, const vendors::Delivery& d, const scenario::Signing& signing,
                     std::int64_t signature_time_s, bool probe);

// How long to wait for an answer: a little past the vendor's limit, so a
// slow 2xx is seen (and reported as too slow) rather than cut off.
std::int64_t answer_timeout_ms(const EventSettings& settings);

}  // namespace callhook::engine
