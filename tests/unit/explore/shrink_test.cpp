#include <catch2/catch.hpp>
#include <map>

#include "explore/explorer.hpp"
#include "explore/shrink.hpp"

using namespace callhook::explore;

namespace {

// Voiceflow's planned order.
const std::vector<std::string> k_events = {"runtime.call.start", "runtime.session.start", "runtime.call.end",
                                           "runtime.session.end"};
constexpr std::size_t k_start = 0, k_session_start = 1, k_end = 2, k_session_end = 3;

// A fake receiver: the example receiver's logic, probed for
// {"active": false, "starts_processed": 1}. With `repeats`, a repeated
// delivery (a copy, a step's lost-ack retry, a delivery sent again) is
// processed again, else skipped by its id; with `ghost`, a start after the
// end makes the call active again.
struct FakeReceiver {
  bool repeats = false;
  bool ghost = false;
  int calls = 0;
  std::map<std::string, int> seen;  // variant key -> trials

  bool fails(const std::vector<Step>& steps) {
    ++calls;
    ++seen[variant_key(k_events, steps)];
    bool active = false, ended = false;
    int starts = 0;
    std::map<std::size_t, int> received;  // delivery -> times
    for (const Step& step : steps) {
      for (int copy = 0; copy < step.copies * (step.lost_ack ? 2 : 1); ++copy) {
        if (++received[step.delivery] > 1 && !repeats) continue;
        if (step.delivery == k_start) {
          ++starts;
          active = ghost || !ended;
        } else if (step.delivery == k_end) {
          ended = true;
          active = false;
        }
      }
    }
    return active || starts != 1;
  }
  Oracle oracle() {
    return [this](const std::vector<Step>& s) { return fails(s); };
  }
};

std::vector<Step> order(std::initializer_list<std::size_t> deliveries) {
  std::vector<Step> out;
  for (const std::size_t d : deliveries) out.push_back({d, 1, false, false});
  return out;
}

}  // namespace

TEST_CASE("shrink: the planned control", "[explore]") {
  CHECK(planned_control({{3, 1}, {0, 2}, {2, 1}}) == std::vector<Step>{{0, 1}, {2, 1}, {3, 1}});
  // No flags, each delivery once: a delivery sent again is not sent again.
  CHECK(planned_control({{2, 1, false, true}, {0, 2, true, false}, {2, 1}}) == std::vector<Step>{{0, 1}, {2, 1}});
}

TEST_CASE("shrink: copies sent together come down to copies one after another when that fails too", "[explore]") {
  FakeReceiver receiver;
  receiver.repeats = true;
  const std::vector<Step> failing = {{k_start, 2, true, false}, {k_session_start, 1}, {k_end, 1}, {k_session_end, 1}};
  REQUIRE(receiver.fails(failing));
  CHECK(variant_key(k_events, shrink(failing, receiver.oracle())) == "runtime.call.start*2,runtime.call.end");

  // A receiver that fails only on copies at once (a race) keeps the flag.
  const Oracle race = [](const std::vector<Step>& steps) {
    for (const Step& s : steps)
      if (s.together) return true;
    return false;
  };
  CHECK(shrink(failing, race) == std::vector<Step>{{k_start, 2, true, false}});
}

TEST_CASE("shrink: a lost ack stays when the failure needs it, and goes when it does not", "[explore]") {
  FakeReceiver receiver;
  receiver.repeats = true;
  const std::vector<Step> failing = {{k_start, 1, false, true}, {k_session_start, 1}, {k_end, 1}, {k_session_end, 1}};
  REQUIRE(receiver.fails(failing));
  CHECK(variant_key(k_events, shrink(failing, receiver.oracle())) == "runtime.call.start lost_ack,runtime.call.end");

  FakeReceiver ghost;
  ghost.ghost = true;
  const std::vector<Step> reordered = {{k_end, 1, false, true}, {k_start, 1}};
  REQUIRE(ghost.fails(reordered));
  CHECK(variant_key(k_events, shrink(reordered, ghost.oracle())) == "runtime.call.end,runtime.call.start");
}

TEST_CASE("shrink: a duplicate after the call comes down to what it needs", "[explore]") {
  // The start again after the end: processed again, it counts twice and
  // (ghost) makes the call active again.
  const std::vector<Step> failing = {{k_start, 1}, {k_session_start, 1}, {k_end, 1}, {k_session_end, 1}, {k_start, 1}};
  FakeReceiver repeats;
  repeats.repeats = true;
  REQUIRE(repeats.fails(failing));
  const auto minimal = shrink(failing, repeats.oracle());
  CHECK(variant_key(k_events, minimal) == "runtime.call.start*2,runtime.call.end");

  FakeReceiver correct;
  CHECK_FALSE(correct.fails(failing));  // skipped by its id
}

TEST_CASE("shrink: an end before its start comes down to those two", "[explore]") {
  struct Row {
    std::vector<Step> failing;
  };
  const std::vector<Row> rows = {
      {order({k_end, k_start, k_session_start, k_session_end})},
      {order({k_session_end, k_end, k_session_start, k_start})},
      {order({k_session_start, k_end, k_session_end, k_start})},
      {{{k_end, 2}, {k_session_start, 1}, {k_start, 1}, {k_session_end, 1}}},
  };
  for (const Row& row : rows) {
    FakeReceiver receiver;
    receiver.ghost = true;
    REQUIRE(receiver.fails(row.failing));
    const auto minimal = shrink(row.failing, receiver.oracle());
    INFO(variant_key(k_events, row.failing));
    CHECK(variant_key(k_events, minimal) == "runtime.call.end,runtime.call.start");
  }
}

TEST_CASE("shrink: a repeated start comes down to the start twice and the end", "[explore]") {
  FakeReceiver receiver;
  receiver.repeats = true;
  const std::vector<Step> failing = {{k_start, 2}, {k_session_start, 1}, {k_end, 1}, {k_session_end, 1}};
  REQUIRE(receiver.fails(failing));
  const auto minimal = shrink(failing, receiver.oracle());
  CHECK(variant_key(k_events, minimal) == "runtime.call.start*2,runtime.call.end");
}

TEST_CASE("shrink: never removes a delivery the truth needs", "[explore]") {
  // Without the end the call is rightly active: [start] alone fails, but
  // its planned control fails too, so the end stays.
  FakeReceiver receiver;
  receiver.ghost = true;
  const auto minimal = shrink(order({k_end, k_start}), receiver.oracle());
  CHECK(variant_key(k_events, minimal) == "runtime.call.end,runtime.call.start");
}

TEST_CASE("shrink: copies come off while the failure stays", "[explore]") {
  // Fails whenever the end is sent three times or more.
  const Oracle fails = [](const std::vector<Step>& steps) {
    for (const Step& s : steps)
      if (s.delivery == k_end && s.copies >= 3) return true;
    return false;
  };
  const std::vector<Step> failing = {{k_start, 1}, {k_end, 5}};
  CHECK(shrink(failing, fails) == std::vector<Step>{{k_end, 3}});
}

TEST_CASE("explore: finds each bug once, with a count, and confirms it", "[explore]") {
  FakeReceiver receiver;
  receiver.repeats = true;
  receiver.ghost = true;
  std::uint64_t next = 100;
  std::vector<std::uint64_t> journaled;
  const TrialFn trial = [&](const std::vector<Step>& steps, std::uint64_t, const std::string& journal) {
    if (!journal.empty()) journaled.push_back(next);
    return TrialResult{receiver.fails(steps), "probe"};
  };
  const auto result = explore(
      k_events, {}, trial, [&] { return next++; }, [](const Failure& f) { return "j" + std::to_string(f.number); });
  CHECK(result.tried == 35);
  REQUIRE(result.failures.size() == 2);
  std::map<std::string, const Failure*> by_key;
  for (const Failure& f : result.failures) by_key[variant_key(k_events, f.steps)] = &f;
  REQUIRE(by_key.count("runtime.call.start*2,runtime.call.end") == 1);
  REQUIRE(by_key.count("runtime.call.end,runtime.call.start") == 1);
  std::size_t occurrences = 0;
  for (const Failure& f : result.failures) {
    CHECK_FALSE(f.flaky);
    occurrences += f.occurrences;
  }
  CHECK(journaled.size() == 2);  // one journal per distinct failure
  CHECK(by_key["runtime.call.end,runtime.call.start"]->occurrences > 1);
  CHECK(occurrences <= result.tried);
}

TEST_CASE("explore: a correct receiver gives no failure; a flaky one is marked", "[explore]") {
  FakeReceiver receiver;
  std::uint64_t next = 0;
  const auto journal = [](const Failure&) { return std::string("j"); };
  const auto none = explore(
      k_events, {},
      [&](const std::vector<Step>& s, std::uint64_t, const std::string&) {
        return TrialResult{receiver.fails(s), "probe"};
      },
      [&] { return next++; }, journal);
  CHECK(none.failures.empty());
  CHECK(none.trials == none.tried);

  // Fails the first time it sees a duplicate of the session end, never again.
  int duplicate_ends = 0;
  const auto flaky = explore(
      k_events, {},
      [&](const std::vector<Step>& s, std::uint64_t, const std::string&) {
        for (const Step& step : s)
          if (step.delivery == k_session_end && step.copies > 1) return TrialResult{++duplicate_ends == 1, "5xx"};
        return TrialResult{};
      },
      [&] { return next++; }, journal);
  REQUIRE(flaky.failures.size() == 1);
  CHECK(flaky.failures[0].flaky);
}

TEST_CASE("explore: the budget bounds the variants tried", "[explore]") {
  ExploreOptions options;
  options.budget = 5;
  std::uint64_t next = 0;
  const auto result = explore(
      k_events, options, [](const std::vector<Step>&, std::uint64_t, const std::string&) { return TrialResult{}; },
      [&] { return next++; }, [](const Failure&) { return std::string(); });
  CHECK(result.tried == 5);
  CHECK(result.stopped_early);
  CHECK(result.variants == 35);
}

TEST_CASE("shrink: deliveries that only make sense together go together", "[explore]") {
  // A second call leg (2 and 3), probed too: one of its two without the
  // other fails on its own. The bug: delivery 0 processed twice.
  const Oracle fails = [](const std::vector<Step>& steps) {
    bool twice = false, leg_start = false, leg_end = false;
    for (const Step& s : steps) {
      twice = twice || (s.delivery == 0 && s.copies > 1);
      leg_start = leg_start || s.delivery == 2;
      leg_end = leg_end || s.delivery == 3;
    }
    return twice || leg_start != leg_end;
  };
  const std::vector<Step> failing = {{0, 2}, {1, 1}, {2, 1}, {3, 1}};
  CHECK(shrink(failing, fails) == std::vector<Step>{{0, 2}});
}

TEST_CASE("explore: lost acks are tried where the vendor retries, and found as their own failure", "[explore]") {
  ExploreOptions options;
  options.lost_ack = {true, false, true, true};  // the session start is not retried
  std::uint64_t next = 0;
  const auto journal = [](const Failure&) { return std::string(); };
  FakeReceiver repeats;
  repeats.repeats = true;
  const auto found = explore(
      k_events, options,
      [&](const std::vector<Step>& s, std::uint64_t, const std::string&) {
        for (const Step& step : s) CHECK((!step.lost_ack || step.delivery != k_session_start));
        return TrialResult{repeats.fails(s), "probe"};
      },
      [&] { return next++; }, journal);
  CHECK(found.tried == 38);
  std::map<std::string, std::string> kinds;
  for (const Failure& f : found.failures) kinds[variant_key(k_events, f.steps)] = f.kind;
  CHECK(kinds == std::map<std::string, std::string>{{"runtime.call.start*2,runtime.call.end", "duplicate"},
                                                    {"runtime.call.start lost_ack,runtime.call.end", "lost_ack"}});

  FakeReceiver correct;
  const auto none = explore(
      k_events, options,
      [&](const std::vector<Step>& s, std::uint64_t, const std::string&) {
        return TrialResult{correct.fails(s), "probe"};
      },
      [&] { return next++; }, journal);
  CHECK(none.failures.empty());
}
