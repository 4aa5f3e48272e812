#pragma once
// When a failed attempt is tried again, on the virtual timeline.
#include <cstdint>

#include "delivery/retry.hpp"

namespace callhook::engine {

struct NextAttempt {
  std::int64_t due_ms = 0;            // virtual due time of the retry
  std::int64_t clamped_from_ms = -1;  // a Retry-After over the limit, as asked; -1 otherwise
};

// The retry of an attempt due at `due_ms`. The wait (the policy's schedule,
// or the answer's Retry-After up to retry_after_max_ms) counts from the
// virtual moment of the answer: `virtual_answer_ms` at a finite speed, the
// attempt's own due time at max speed (pass a value <= due_ms), where
// virtual time does not pass while waiting. An HTTP-date Retry-After is
// read against `wall_unix_ms`, the receiver's clock.
NextAttempt schedule_retry(const scenario::RetryPolicy& policy, int attempts, util::Rng& rng,
                           const delivery::HttpResult& answer, std::int64_t due_ms, std::int64_t virtual_answer_ms,
                           std::int64_t wall_unix_ms);

}  // namespace callhook::engine
