#pragma once
// Retry decisions as pure functions of the policy, the attempt and the seed,
// so schedules can be tested with tables and replayed exactly.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "delivery/transport.hpp"
#include "scenario/scenario.hpp"
#include "util/rng.hpp"

namespace callhook::delivery {

// How an attempt ended, from the vendor's point of view.
enum class Verdict {
  Delivered,  // 2xx within the vendor's timeout
  TooSlow,    // answered, but after the vendor's timeout: a failure for the vendor
  Failed,     // any other failure (status or transport error)
};

// The verdict of one result under a timeout (a 2xx slower than timeout_ms is TooSlow).
Verdict judge(const HttpResult& result, std::int64_t timeout_ms);
// Whether the policy retries this outcome (attempt is 1-based, the one that just ended).
bool should_retry(const scenario::RetryPolicy& policy, const HttpResult& result, Verdict verdict, int attempt);
// Virtual milliseconds the policy's schedule waits before attempt + 1.
std::int64_t backoff_ms(const scenario::RetryPolicy& policy, int attempt, util::Rng& rng);

// The largest Retry-After delta-seconds kept as written; larger values,
// and values too large to represent at all, are taken as this one.
inline constexpr std::int64_t k_retry_after_max_s = INT64_MAX / 1000;

// Milliseconds a Retry-After value asks for: delta-seconds, or an HTTP date
// read against wall_unix_ms (the receiver's clock at the answer, never the
// virtual one). nullopt when the value is not one of the two forms.
std::optional<std::int64_t> retry_after_ms(std::string_view text, std::int64_t wall_unix_ms);

struct RetryWait {
  std::int64_t wait_ms = 0;           // to add to the attempt's virtual time
  std::int64_t clamped_from_ms = -1;  // the Retry-After asked, when it was over the limit; -1 otherwise
};
// The wait before attempt + 1: an honoured Retry-After (at most
// policy.retry_after_max_ms), else the schedule.
RetryWait retry_wait(const scenario::RetryPolicy& policy, int attempt, util::Rng& rng, const std::string& retry_after,
                     std::int64_t wall_unix_ms);

}  // namespace callhook::delivery
