#include "delivery/retry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <optional>

#include "delivery/http_date.hpp"

namespace callhook::delivery {

std::optional<std::int64_t> retry_after_ms(std::string_view text, std::int64_t wall_unix_ms) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (text.empty()) return std::nullopt;
  if (text.front() >= '0' && text.front() <= '9') {
    if (!std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
    // RFC 9111 section 1.2.2: delta-seconds too large to represent are taken
    // as the greatest value that can be (the caller's cap then applies), not
    // as no Retry-After at all.
    std::int64_t seconds = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
    if (ec == std::errc::result_out_of_range || (ec == std::errc() && seconds > k_retry_after_max_s))
      return k_retry_after_max_s * 1000;
    if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
    return seconds * 1000;
  }
  const auto when = parse_http_date(text);
  if (!when) return std::nullopt;
  return std::max<std::int64_t>(0, *when - wall_unix_ms);
}

Verdict judge(const HttpResult& result, std::int64_t timeout_ms) {
  if (result.error != ErrorKind::None) return Verdict::Failed;
  if (result.status < 200 || result.status >= 300) return Verdict::Failed;
  return result.latency_us > timeout_ms * 1000 ? Verdict::TooSlow : Verdict::Delivered;
}

bool should_retry(const scenario::RetryPolicy& policy, const HttpResult& result, Verdict verdict, int attempt) {
  if (verdict == Verdict::Delivered || attempt >= policy.max_attempts) return false;
  if (verdict == Verdict::TooSlow) return policy.on_timeout;
  switch (result.error) {
    case ErrorKind::Timeout: return policy.on_timeout;
    case ErrorKind::Connect:
    case ErrorKind::Closed: return policy.on_connect;
    case ErrorKind::Tls:
    case ErrorKind::Protocol: return false;  // a retry would meet the same certificate or the same garbage
    case ErrorKind::None: break;
  }
  if (result.status == 429) return policy.on_429;
  if (result.status >= 500 && result.status <= 599) return policy.on_5xx;
  if (result.status >= 400 && result.status <= 499) return policy.on_4xx;
  return false;
}

std::int64_t backoff_ms(const scenario::RetryPolicy& policy, int attempt, util::Rng& rng) {
  const int step = std::max(1, attempt) - 1;
  if (!policy.backoff_ms.empty()) {
    const auto index = std::min(static_cast<std::size_t>(step), policy.backoff_ms.size() - 1);
    return std::max<std::int64_t>(0, policy.backoff_ms[index]);
  }
  double wait = static_cast<double>(policy.initial_ms) * std::pow(policy.multiplier, step);
  wait = std::min(wait, static_cast<double>(policy.max_ms));
  // Draw only when jittering, so a jitter-free policy leaves the stream untouched.
  if (policy.jitter > 0) wait *= 1.0 + policy.jitter * rng.uniform(-1.0, 1.0);
  return std::max<std::int64_t>(0, std::llround(wait));
}

RetryWait retry_wait(const scenario::RetryPolicy& policy, int attempt, util::Rng& rng, const std::string& retry_after,
                     std::int64_t wall_unix_ms) {
  RetryWait wait;
  if (policy.honour_retry_after && !retry_after.empty()) {
    if (const auto asked = retry_after_ms(retry_after, wall_unix_ms)) {
      wait.wait_ms = std::min(*asked, policy.retry_after_max_ms);
      if (*asked > policy.retry_after_max_ms) wait.clamped_from_ms = *asked;
      return wait;
    }
  }
  wait.wait_ms = backoff_ms(policy, attempt, rng);
  return wait;
}

}  // namespace callhook::delivery
