// The per-call gate, rule by rule.
#include <catch2/catch.hpp>

#include "engine/timeline.hpp"

using callhook::engine::CallTimeline;
using callhook::engine::k_no_time;
using callhook::engine::Ordering;
using callhook::engine::TimelinePlace;

namespace {

// item, due_ms, plan_order, seq, sent_us
TimelinePlace place(std::uint32_t item, std::int64_t due_ms, std::uint64_t order, std::uint32_t seq,
                    std::int64_t sent_us = 0) {
  return {item, due_ms, order, seq, sent_us};
}

}  // namespace

TEST_CASE("timeline: nothing in flight, the attempt goes now", "[timeline]") {
  for (const Ordering o : {Ordering::Timeline, Ordering::Concurrent, Ordering::Strict}) {
    const CallTimeline t(o);
    CHECK(t.release_at(place(1, 1000, 1, 0), 77) == 77);
  }
}

TEST_CASE("timeline: an earlier attempt in flight holds later ones until answered", "[timeline]") {
  CallTimeline t(Ordering::Timeline);
  t.sent(place(1, 1000, 1, 0, 50));
  CHECK(t.release_at(place(2, 5000, 2, 1), 100) == k_no_time);
  // Same millisecond, planned later: waits too (planned order).
  CHECK(t.release_at(place(3, 1000, 3, 2), 100) == k_no_time);
  t.answered(1);
  CHECK(t.release_at(place(2, 5000, 2, 1), 100) == 100);
}

TEST_CASE("timeline: copies of one delivery due at the same ms go together", "[timeline]") {
  CallTimeline t(Ordering::Timeline);
  t.sent(place(1, 1000, 1, 4, 50));
  CHECK(t.release_at(place(2, 1000, 2, 4), 60) == 60);         // a copy (same seq, same due)
  CHECK(t.release_at(place(3, 1200, 3, 4), 60) == k_no_time);  // a spaced copy waits
  t.sent(place(2, 1000, 2, 4, 60));
  t.answered(1);
  CHECK(t.release_at(place(3, 1200, 3, 4), 70) == k_no_time);  // the other copy is still out
  t.answered(2);
  CHECK(t.release_at(place(3, 1200, 3, 4), 70) == 70);
}

TEST_CASE("concurrent: overlap once the earlier one has been out for the virtual gap", "[timeline]") {
  CallTimeline t(Ordering::Concurrent);
  t.sent(place(1, 1000, 1, 0, 10'000'000));
  // 250 virtual ms later: may overlap 250 real ms after the first was sent.
  CHECK(t.release_at(place(2, 1250, 2, 1), 10'000'000) == 10'250'000);
  CHECK(t.release_at(place(2, 1250, 2, 1), 10'300'000) == 10'300'000);
  t.sent(place(2, 1250, 2, 1, 10'300'000));
  // The latest of the gaps to every attempt still out.
  CHECK(t.release_at(place(3, 1500, 3, 2), 10'300'000) == 10'550'000);
  t.answered(2);
  CHECK(t.release_at(place(3, 1500, 3, 2), 10'300'000) == 10'500'000);
}

TEST_CASE("strict: one delivery at a time, retries included", "[timeline]") {
  CallTimeline t(Ordering::Strict);
  t.sent(place(1, 1000, 1, 0));
  t.answered(1);  // failed, a retry is coming: the turn stays
  CHECK(t.release_at(place(2, 2000, 2, 1), 5) == k_no_time);
  CHECK(t.release_at(place(1, 1100, 1, 0), 5) == 5);  // the retry itself
  t.finished(1);
  CHECK(t.release_at(place(2, 2000, 2, 1), 5) == 5);
}

TEST_CASE("strict: copies sent together share the turn; the next delivery waits for all of them", "[timeline]") {
  CallTimeline t(Ordering::Strict);
  TimelinePlace first = place(1, 1000, 1, 0);
  first.together = 7;
  t.sent(first);
  TimelinePlace copy = place(2, 1000, 2, 0);
  CHECK(t.release_at(copy, 5) == k_no_time);  // a plain copy waits its turn
  copy.together = 7;
  CHECK(t.release_at(copy, 5) == 5);
  t.sent(copy);
  TimelinePlace other_step = place(3, 1000, 3, 0);
  other_step.together = 8;  // copies of another step do not share this turn
  CHECK(t.release_at(other_step, 5) == k_no_time);
  t.answered(1);
  t.finished(1);
  CHECK(t.release_at(place(4, 2000, 4, 1), 5) == k_no_time);  // the second copy is not final yet
  t.answered(2);
  t.finished(2);
  CHECK(t.release_at(place(4, 2000, 4, 1), 5) == 5);
}
