#pragma once
// Retry decisions as pure functions of the policy, the attempt and the seed,
// so schedules can be tested with tables and replayed exactly.
#include <cstdint>
#include <string>

#include "delivery/transport.hpp"
#include "scenario/scenario.hpp"
#include "util/rng.hpp"

namespace callhook::delivery {

// How an attempt ended, from the vendor's point of view.
enum class Verdict {
  Delivered,   // 2xx within the vendor's timeout
  TooSlow,     // answered, but after the vendor's timeout: a failure for the vendor
  Failed,      // any other failure (status or transport error)
};

// The verdict of one result under a timeout (a 2xx slower than timeout_ms is TooSlow).
Verdict judge(const HttpResult& result, std::int64_t timeout_ms);
// Whether the policy retries this outcome (attempt is 1-based, the one that just ended).
bool should_retry(const scenario::RetryPolicy& policy, const HttpResult& result, Verdict verdict, int attempt);
// Virtual milliseconds to wait before attempt + 1. Honours Retry-After
// (seconds or an HTTP date relative to now_unix_ms) when the policy says so.
std::int64_t backoff_ms(const scenario::RetryPolicy& policy, int attempt, util::Rng& rng,
                        const std::string& retry_after, std::int64_t now_unix_ms);

}  // namespace callhook::delivery
