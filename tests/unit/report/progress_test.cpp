#include <catch2/catch.hpp>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "report/progress.hpp"

using callhook::report::ProgressLine;
using callhook::report::RunStats;

namespace {

RunStats::Live live(std::int64_t sent) { return RunStats::Live{3, sent, sent / 2, 1, 0, 5, 12.34, 0}; }

std::size_t count_of(const std::string& text, char c) {
  std::size_t n = 0;
  for (char x : text) n += x == c;
  return n;
}

struct Case {
  ProgressLine::Mode mode;
  bool tty;
  std::size_t draws;  // updates every 0.1 s for 10.05 s
};

}  // namespace

TEST_CASE("progress: draws are rate limited by elapsed time") {
  const std::vector<Case> table = {
      // 0.25 s has passed at every third tick: 0, 0.3, ..., 9.9.
      {ProgressLine::Mode::Auto, true, 34},    {ProgressLine::Mode::Always, true, 34},
      {ProgressLine::Mode::Always, false, 10},  // every second from 1 s
      {ProgressLine::Mode::Auto, false, 2},     // 5, 10: none in the first five seconds
      {ProgressLine::Mode::Never, true, 0},    {ProgressLine::Mode::Never, false, 0},
  };
  for (const Case& c : table) {
    std::ostringstream out;
    ProgressLine progress(out, c.mode, c.tty);
    for (int tick = 0; tick <= 100; ++tick) {
      // Exact tenths: no float drift at interval boundaries.
      progress.update(live(tick * 10), tick / 10.0, 4);
    }
    progress.finish();
    progress.update(live(2000), 20.0, 4);  // after the end: never drawn
    const std::string text = out.str();
    INFO("mode " << static_cast<int>(c.mode) << " tty " << c.tty << "\n" << text);
    if (c.tty) {
      // Each draw, and the erase at the end.
      CHECK(count_of(text, '\r') == c.draws + (c.draws > 0 ? 1u : 0u));
      CHECK(count_of(text, '\n') == 0);
    } else {
      CHECK(count_of(text, '\r') == 0);
      CHECK(count_of(text, '\n') == c.draws);
      CHECK(text.find('\x1b') == std::string::npos);
    }
  }
}

TEST_CASE("progress: plain lines print nothing for a run shorter than the interval") {
  std::ostringstream out;
  ProgressLine progress(out, ProgressLine::Mode::Auto, false);
  for (int tick = 0; tick < 49; ++tick) progress.update(live(tick), tick / 10.0, 1);
  progress.finish();
  CHECK(out.str().empty());
}

TEST_CASE("progress: a terminal line is redrawn in place and erased once at the end") {
  std::ostringstream out;
  ProgressLine progress(out, ProgressLine::Mode::Auto, true);
  progress.update(live(0), 0.0, 0);
  progress.update(live(100), 1.0, 7);
  progress.finish();
  progress.finish();
  const std::string expected = "\r" + ProgressLine::format(live(0), 0.0, 0, 0) + "\x1b[K" + "\r" +
                               ProgressLine::format(live(100), 1.0, 7, 100) + "\x1b[K" + "\r\x1b[K";
  CHECK(out.str() == expected);
}

TEST_CASE("progress: sent per second covers the last interval") {
  std::ostringstream out;
  ProgressLine progress(out, ProgressLine::Mode::Always, false);
  progress.update(live(0), 0.0, 0);
  progress.update(live(100), 1.0, 0);
  progress.update(live(120), 1.5, 0);  // too soon: not drawn
  progress.update(live(150), 2.0, 0);
  const std::string text = out.str();
  INFO(text);
  CHECK_THAT(text, Catch::Contains("sent 100 (100/s)"));
  CHECK_THAT(text, Catch::Contains("sent 150 (50/s)"));
  CHECK_THAT(text, !Catch::Contains("sent 120"));
}

TEST_CASE("progress: the line's text") {
  CHECK(ProgressLine::format(RunStats::Live{12, 3400, 3300, 5, 2, 9, 18.25, 40}, 65.4, 31, 812.4) ==
        "   65.4s  calls 12 active  sent 3400 (812/s)  delivered 3300  failed 5  in flight 31  p99 18.2 ms");
  CHECK_THAT(ProgressLine::format(RunStats::Live{0, 0, 0, 0, 0, 0, 0, 0}, 0, 0, 0), Catch::EndsWith("p99 -"));
}

TEST_CASE("progress: with a known total, calls done of the total, the percentage and an ETA") {
  // 40 of 160 calls in 65.4 s: a quarter done, three quarters (196.2 s) to go.
  CHECK(ProgressLine::format(RunStats::Live{12, 3400, 3300, 5, 2, 9, 18.25, 40}, 65.4, 31, 812.4, 160) ==
        "   65.4s  calls 40/160 (25%) ETA 3m16s, 12 active  sent 3400 (812/s)  delivered 3300  failed 5  in flight 31  "
        "p99 18.2 ms");
  CHECK_THAT(ProgressLine::format(RunStats::Live{1, 0, 0, 0, 0, 0, 0, 0}, 1, 0, 0, 10),
             Catch::StartsWith("    1.0s  calls 0/10 (0%) ETA -, 1 active"));
  std::ostringstream out;
  ProgressLine progress(out, ProgressLine::Mode::Always, false);
  progress.set_total_calls(80);
  progress.update(RunStats::Live{1, 10, 10, 0, 0, 0, 0, 20}, 10.0, 0);
  CHECK_THAT(out.str(), Catch::Contains("calls 20/80 (25%) ETA 30s"));
}

TEST_CASE("progress modes by name") {
  CHECK(callhook::report::parse_progress_mode("auto") == ProgressLine::Mode::Auto);
  CHECK(callhook::report::parse_progress_mode("always") == ProgressLine::Mode::Always);
  CHECK(callhook::report::parse_progress_mode("never") == ProgressLine::Mode::Never);
  CHECK_THROWS_AS(callhook::report::parse_progress_mode("sometimes"), std::invalid_argument);
}
