#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "delivery/http_date.hpp"
#include "delivery/retry.hpp"

using callhook::delivery::backoff_ms;
using callhook::delivery::ErrorKind;
using callhook::delivery::HttpResult;
using callhook::delivery::judge;
using callhook::delivery::parse_http_date;
using callhook::delivery::retry_after_ms;
using callhook::delivery::retry_wait;
using callhook::delivery::should_retry;
using callhook::delivery::Verdict;
using callhook::scenario::RetryPolicy;

namespace {

HttpResult answered(int status, std::int64_t latency_ms) {
  HttpResult result;
  result.status = status;
  result.latency_us = latency_ms * 1000;
  return result;
}

HttpResult broken(ErrorKind kind, std::int64_t latency_ms = 5) {
  HttpResult result;
  result.error = kind;
  result.latency_us = latency_ms * 1000;
  return result;
}

}  // namespace

TEST_CASE("judge sorts results into delivered, too slow and failed", "[delivery][retry]") {
  struct Row {
    const char* name;
    HttpResult result;
    std::int64_t timeout_ms;
    Verdict verdict;
  };
  const Row rows[] = {
      {"200 in time", answered(200, 100), 5000, Verdict::Delivered},
      {"204 exactly at the limit", answered(204, 5000), 5000, Verdict::Delivered},
      {"299 in time", answered(299, 1), 5000, Verdict::Delivered},
      {"200 one millisecond late", answered(200, 5001), 5000, Verdict::TooSlow},
      {"202 much later", answered(202, 60000), 10000, Verdict::TooSlow},
      {"301 is not delivered", answered(301, 10), 5000, Verdict::Failed},
      {"404", answered(404, 10), 5000, Verdict::Failed},
      {"429", answered(429, 10), 5000, Verdict::Failed},
      {"500", answered(500, 10), 5000, Verdict::Failed},
      {"slow 500 stays failed", answered(500, 9000), 5000, Verdict::Failed},
      {"timeout", broken(ErrorKind::Timeout, 5100), 5000, Verdict::Failed},
      {"refused", broken(ErrorKind::Connect), 5000, Verdict::Failed},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    CHECK(judge(row.result, row.timeout_ms) == row.verdict);
  }
}

TEST_CASE("should_retry follows the policy's outcome classes and attempt limit", "[delivery][retry]") {
  RetryPolicy defaults;
  defaults.max_attempts = 3;
  RetryPolicy only_5xx = defaults;
  only_5xx.on_429 = only_5xx.on_timeout = only_5xx.on_connect = false;
  RetryPolicy with_4xx = defaults;
  with_4xx.on_4xx = true;

  struct Row {
    const char* name;
    const RetryPolicy& policy;
    HttpResult result;
    int attempt;
    bool retry;
  };
  const Row rows[] = {
      {"500 on attempt 1", defaults, answered(500, 5), 1, true},
      {"503 on attempt 2", defaults, answered(503, 5), 2, true},
      {"500 on the last attempt", defaults, answered(500, 5), 3, false},
      {"429", defaults, answered(429, 5), 1, true},
      {"404 is not retried by default", defaults, answered(404, 5), 1, false},
      {"400 with on_4xx", with_4xx, answered(400, 5), 1, true},
      {"429 with on_4xx but not on_429", only_5xx, answered(429, 5), 1, false},
      {"200 delivered", defaults, answered(200, 5), 1, false},
      {"302 never", with_4xx, answered(302, 5), 1, false},
      {"too slow 200", defaults, answered(200, 20000), 1, true},
      {"too slow 200, timeouts off", only_5xx, answered(200, 20000), 1, false},
      {"timeout", defaults, broken(ErrorKind::Timeout), 1, true},
      {"timeout, timeouts off", only_5xx, broken(ErrorKind::Timeout), 1, false},
      {"connect", defaults, broken(ErrorKind::Connect), 2, true},
      {"closed", defaults, broken(ErrorKind::Closed), 1, true},
      {"closed, connect off", only_5xx, broken(ErrorKind::Closed), 1, false},
      {"tls", defaults, broken(ErrorKind::Tls), 1, false},
      {"protocol", defaults, broken(ErrorKind::Protocol), 1, false},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    const Verdict verdict = judge(row.result, 10000);
    CHECK(should_retry(row.policy, row.result, verdict, row.attempt) == row.retry);
  }

  RetryPolicy single;  // max_attempts 1: never a second try
  CHECK_FALSE(should_retry(single, answered(500, 5), Verdict::Failed, 1));
}

TEST_CASE("an explicit backoff schedule repeats its last entry", "[delivery][retry]") {
  RetryPolicy policy;
  policy.backoff_ms = {1000, 5000, 30000};
  policy.jitter = 0.5;  // belongs to the exponential form only
  const std::int64_t expected[] = {1000, 5000, 30000, 30000, 30000};
  callhook::util::Rng rng(1);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    INFO("attempt " << attempt);
    CHECK(backoff_ms(policy, attempt, rng) == expected[attempt - 1]);
  }
}

TEST_CASE("exponential backoff grows by the multiplier up to the cap", "[delivery][retry]") {
  RetryPolicy policy;
  policy.initial_ms = 500;
  policy.multiplier = 3;
  policy.max_ms = 10000;
  const std::int64_t expected[] = {500, 1500, 4500, 10000, 10000};
  callhook::util::Rng rng(1);
  for (int attempt = 1; attempt <= 5; ++attempt) {
    INFO("attempt " << attempt);
    CHECK(backoff_ms(policy, attempt, rng) == expected[attempt - 1]);
  }
  CHECK(backoff_ms(policy, 400, rng) == 10000);  // huge powers saturate at the cap
}

TEST_CASE("jitter stays within its fraction, varies, and replays from the seed", "[delivery][retry]") {
  RetryPolicy policy;
  policy.initial_ms = 1000;
  policy.multiplier = 2;
  policy.max_ms = 60000;
  policy.jitter = 0.2;
  callhook::util::Rng first(callhook::util::derive(7, 1));
  callhook::util::Rng second(callhook::util::derive(7, 1));
  std::set<std::int64_t> seen;
  for (int i = 0; i < 200; ++i) {
    const std::int64_t wait = backoff_ms(policy, 3, first);
    CHECK(wait >= 3200);
    CHECK(wait <= 4800);
    CHECK(backoff_ms(policy, 3, second) == wait);
    seen.insert(wait);
  }
  CHECK(seen.size() > 50);
}

TEST_CASE("Retry-After overrides the schedule when the policy honours it", "[delivery][retry]") {
  RetryPolicy policy;
  policy.backoff_ms = {1000};
  const std::int64_t now = 1445412480000;  // Wed, 21 Oct 2015 07:28:00 GMT
  struct Row {
    const char* retry_after;
    std::int64_t expected;
  };
  const Row rows[] = {
      {"", 1000},
      {"0", 0},
      {"120", 120000},
      {" 7 ", 7000},
      {"Wed, 21 Oct 2015 07:28:30 GMT", 30000},
      {"Wednesday, 21-Oct-15 07:29:00 GMT", 60000},
      {"Wed Oct 21 07:28:05 2015", 5000},
      {"Wed, 21 Oct 2015 07:00:00 GMT", 0},  // already past
      {"-5", 1000},
      {"soon", 1000},
      {"1.5", 1000},
      {"99999999999999999999", 300000},  // too large to represent: the cap (RFC 9111 section 1.2.2)
  };
  callhook::util::Rng rng(1);
  for (const auto& row : rows) {
    INFO("Retry-After: " << row.retry_after);
    CHECK(retry_wait(policy, 1, rng, row.retry_after, now).wait_ms == row.expected);
  }
  policy.honour_retry_after = false;
  CHECK(retry_wait(policy, 1, rng, "120", now).wait_ms == 1000);
}

TEST_CASE("an HTTP-date Retry-After is read against the wall clock, not virtual time", "[delivery][retry]") {
  RetryPolicy policy;
  policy.backoff_ms = {1000};
  callhook::util::Rng rng(1);
  // The receiver's clock says 07:28:00 and asks for 07:28:02: two seconds,
  // whatever virtual time the run is at (the 2025 default epoch would make it ~years).
  const std::int64_t wall = 1445412480000;
  CHECK(retry_wait(policy, 1, rng, "Wed, 21 Oct 2015 07:28:02 GMT", wall).wait_ms == 2000);
  CHECK(retry_wait(policy, 1, rng, "Wed, 21 Oct 2015 07:28:02 GMT", wall + 1500).wait_ms == 500);
}

TEST_CASE("Retry-After is honoured up to retry_after_max_ms; longer asks are clamped and told", "[delivery][retry]") {
  RetryPolicy policy;
  policy.backoff_ms = {1000};
  policy.retry_after_max_ms = 60000;
  callhook::util::Rng rng(1);
  const std::int64_t wall = 1445412480000;  // Wed, 21 Oct 2015 07:28:00 GMT
  const auto within = retry_wait(policy, 1, rng, "60", wall);
  CHECK(within.wait_ms == 60000);
  CHECK(within.clamped_from_ms == -1);
  const auto seconds = retry_wait(policy, 1, rng, "61", wall);
  CHECK(seconds.wait_ms == 60000);
  CHECK(seconds.clamped_from_ms == 61000);
  const auto date = retry_wait(policy, 1, rng, "Wed, 21 Oct 2015 08:28:00 GMT", wall);
  CHECK(date.wait_ms == 60000);
  CHECK(date.clamped_from_ms == 3600000);
  const auto schedule = retry_wait(policy, 1, rng, "", wall);
  CHECK(schedule.wait_ms == 1000);
  CHECK(schedule.clamped_from_ms == -1);
  CHECK(RetryPolicy{}.retry_after_max_ms == 300000);
}

TEST_CASE("a Retry-After too large to represent saturates to the cap, never to the schedule", "[delivery][retry]") {
  RetryPolicy policy;
  policy.initial_ms = 10;  // a short schedule, which an unreadable value would fall back to
  policy.retry_after_max_ms = 300000;
  callhook::util::Rng rng(1);
  const std::int64_t wall = 1445412480000;
  CHECK(retry_after_ms("9223372036854775", wall) == callhook::delivery::k_retry_after_max_s * 1000);
  CHECK(retry_after_ms("9223372036854776", wall) == callhook::delivery::k_retry_after_max_s * 1000);
  CHECK(retry_after_ms("99999999999999999999999999999999", wall) == callhook::delivery::k_retry_after_max_s * 1000);
  CHECK(retry_after_ms("9223372036854775807", wall) == callhook::delivery::k_retry_after_max_s * 1000);
  CHECK(retry_after_ms("922337203685477", wall) == 922337203685477000);
  for (const char* huge : {"99999999999999999999", "9223372036854775808", "18446744073709551616"}) {
    INFO(huge);
    const auto wait = retry_wait(policy, 1, rng, huge, wall);
    CHECK(wait.wait_ms == 300000);
    CHECK(wait.clamped_from_ms == callhook::delivery::k_retry_after_max_s * 1000);
  }
  // Not delta-seconds at all: still the schedule.
  CHECK(retry_wait(policy, 1, rng, "99x", wall).wait_ms == 10);
  CHECK(retry_wait(policy, 1, rng, "99x", wall).clamped_from_ms == -1);
}

TEST_CASE("HTTP dates parse in all three forms", "[delivery][retry]") {
  const std::int64_t sunday = 784111777000;  // Sun, 06 Nov 1994 08:49:37 GMT (RFC 9110's example)
  struct Row {
    const char* text;
    std::optional<std::int64_t> expected;
  };
  const Row rows[] = {
      {"Sun, 06 Nov 1994 08:49:37 GMT", sunday},
      {"Sunday, 06-Nov-94 08:49:37 GMT", sunday},
      {"Sun Nov  6 08:49:37 1994", sunday},
      {"Thu, 01 Jan 1970 00:00:00 GMT", 0},
      {"Tue, 29 Feb 2028 23:59:59 GMT", 1835481599000},
      {"Sat, 01 Jan 2000 00:00:00 GMT", 946684800000},
      {"Wed, 30 Feb 2028 00:00:00 GMT", std::nullopt},
      {"Sun, 06 Nov 1994 08:49:37 UTC", std::nullopt},
      {"Sun, 06 Nov 1994 24:00:00 GMT", std::nullopt},
      {"Sun, 06 Foo 1994 08:49:37 GMT", std::nullopt},
      {"2025-07-16T11:40:57Z", std::nullopt},
      {"", std::nullopt},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    CHECK(parse_http_date(row.text) == row.expected);
  }
}
