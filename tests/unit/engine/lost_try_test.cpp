// A try the transport lost on a stale keep-alive connection and sent again
// is an attempt on record (report and journal) that spends no retry.
#include <catch2/catch.hpp>

#include <filesystem>
#include <variant>

#include <unistd.h>

#include "delivery/fake_transport.hpp"
#include "engine/engine.hpp"
#include "engine/plan.hpp"
#include "journal/journal.hpp"
#include "journal/reader.hpp"
#include "report/run_stats.hpp"
#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;

TEST_CASE("a lost and re-sent try is recorded and counted without spending the retry budget", "[engine]") {
  auto loaded = scenario::parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1},
      "delivery": {"retry": {"max_attempts": 1}}}]})",
                                         "test.json", vendors::catalog());
  REQUIRE(loaded.problems.empty());
  util::Problems problems;
  auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/hooks",
                                "http://127.0.0.1:9/recordings", problems);
  REQUIRE(plan);

  const auto path = std::filesystem::temp_directory_path() / ("callhook-lost-" + std::to_string(::getpid()) + ".jsonl");
  util::ManualClock clock;
  delivery::FakeTransport transport(clock, [](const delivery::HttpRequest&) {
    delivery::FakeReply reply;
    reply.lost_tries = 1;
    return reply;
  });
  report::RunStats stats;
  {
    journal::JournalWriter writer(path.string());
    writer.run_header("test", 1, 1, 0);
    engine::EngineOptions options;
    options.speed = plan->scenario.speed;
    engine::Engine engine(*plan, transport, clock, stats, &writer, options);
    engine.run();
    writer.flush();
  }
  CHECK(transport.requests().size() == 4);  // one per event, from the engine's side
  CHECK(stats.totals().delivered == 4);     // max_attempts 1 still delivers
  CHECK(stats.totals().failed == 0);
  CHECK(stats.totals().sent == 8);  // but every try on the wire is an attempt
  CHECK(stats.totals().accounted());

  int resent = 0, delivered = 0;
  journal::JournalReader reader(path.string());
  while (const auto entry = reader.next()) {
    if (const auto* a = std::get_if<journal::AttemptEntry>(&*entry)) {
      CHECK(a->attempt == 1);
      CHECK_FALSE(a->headers.empty());
      if (a->resent) {
        ++resent;
        CHECK(a->error == "closed");
        CHECK(a->verdict == "failed");
        CHECK(a->will_retry);
      } else {
        ++delivered;
        CHECK(a->verdict == "delivered");
      }
    } else if (const auto* f = std::get_if<journal::FinalEntry>(&*entry)) {
      CHECK(f->result == "delivered");
      CHECK(f->attempts == 1);
    }
  }
  CHECK(resent == 4);
  CHECK(delivered == 4);
  std::filesystem::remove(path);
}
