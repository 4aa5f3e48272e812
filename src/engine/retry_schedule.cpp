#include "engine/retry_schedule.hpp"

#include <algorithm>

namespace callhook::engine {

NextAttempt schedule_retry(const scenario::RetryPolicy& policy, int attempts, util::Rng& rng,
                           const delivery::HttpResult& answer, std::int64_t due_ms, std::int64_t virtual_answer_ms,
                           std::int64_t wall_unix_ms) {
  const std::int64_t base = std::max(due_ms, virtual_answer_ms);
  const delivery::RetryWait wait = delivery::retry_wait(policy, attempts, rng, answer.retry_after, wall_unix_ms);
  return {base + wait.wait_ms, wait.clamped_from_ms};
}

}  // namespace callhook::engine
