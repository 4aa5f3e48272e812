#include <catch2/catch.hpp>

#include "explore/output.hpp"

using namespace callhook::explore;

namespace {
const std::vector<std::string> k_events = {"runtime.session.start", "runtime.call.start", "runtime.call.end"};
}

TEST_CASE("output: steps as the summary, explore.json and file names show them", "[explore]") {
  struct Row {
    std::vector<Step> steps;
    std::string text;
    std::vector<std::string> sent;
    std::string stem;
  };
  const std::vector<Row> rows = {
      {{{2, 1}, {1, 1}},
       "runtime.call.end → runtime.call.start",
       {"runtime.call.end", "runtime.call.start"},
       "out/failures/01-runtime-call-end-then-runtime-call-start"},
      {{{1, 2}, {2, 1}},
       "runtime.call.start ×2 → runtime.call.end",
       {"runtime.call.start", "runtime.call.start", "runtime.call.end"},
       "out/failures/01-runtime-call-start-x2-then-runtime-call-end"},
      {{{1, 2, true, false}, {2, 1}},
       "runtime.call.start ×2 at once → runtime.call.end",
       {"runtime.call.start", "runtime.call.start", "runtime.call.end"},
       "out/failures/01-runtime-call-start-x2-at-once-then-runtime-call-end"},
      {{{1, 1, false, true}, {2, 1}},
       "runtime.call.start (ack lost) → runtime.call.end",
       {"runtime.call.start", "runtime.call.start", "runtime.call.end"},  // the vendor's retry is a send
       "out/failures/01-runtime-call-start-ack-lost-then-runtime-call-end"},
      {{{1, 1}, {2, 1}, {1, 1}},
       "runtime.call.start → runtime.call.end → runtime.call.start again",
       {"runtime.call.start", "runtime.call.end", "runtime.call.start"},
       "out/failures/01-runtime-call-start-then-runtime-call-end-then-runtime-call-start-again"},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    Failure f;
    f.number = 1;
    f.steps = row.steps;
    CHECK(steps_text(k_events, row.steps) == row.text);
    CHECK(sent_events(k_events, row.steps) == row.sent);
    CHECK(failure_stem("out", k_events, f) == row.stem);
  }
}

TEST_CASE("output: long names are cut, numbers keep two digits", "[explore]") {
  Failure f;
  f.number = 12;
  for (int i = 0; i < 10; ++i) f.steps.push_back({0, 1});
  const std::string stem = failure_stem("d", k_events, f);
  CHECK(stem.rfind("d/failures/12-runtime-session-start-then-", 0) == 0);
  CHECK(stem.size() == std::string("d/failures/12-").size() + 80);
}
