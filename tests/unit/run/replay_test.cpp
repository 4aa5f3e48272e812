// Replay on a fake transport and a manual clock: each call's requests one
// after another in recorded order, calls in parallel.
#include <catch2/catch.hpp>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "delivery/fake_transport.hpp"
#include "journal/journal.hpp"
#include "run/replay.hpp"

using namespace callhook;

namespace {

struct TempJournal {
  std::string path = "replay_test_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".jsonl";
  ~TempJournal() { std::remove(path.c_str()); }
};

// Attempts as a run writes them: when each ended, not in send order.
void write_journal(const std::string& path) {
  journal::JournalWriter writer(path);
  writer.run_header("unit", 1, 0, 0, "2026-01-01T00:00:00.000Z");
  const auto attempt = [&](const char* call, const char* body, std::int64_t offset_us) {
    journal::AttemptRecord a;
    a.delivery = body;
    a.call = call;
    a.event = "e";
    a.method = "POST";
    a.url = "http://127.0.0.1:9/hooks";
    a.body = body;
    a.status = 200;
    a.verdict = "delivered";
    a.wall_offset_us = offset_us;
    writer.attempt(a);
  };
  attempt("A", "A2", 1000);
  attempt("A", "A1", 0);
  attempt("B", "B1", 500);
  attempt("A", "A3", 2000);
  attempt("B", "B2", 1500);
  journal::EndRecord end;
  end.planned = 5;
  end.delivered = 5;
  writer.end(end);
  writer.flush();
}

struct Sent {
  std::string body;
  std::int64_t at_us;
};

std::map<std::string, std::vector<Sent>> replay_per_call(const std::string& path, double speed,
                                                         run::ReplayResult* result = nullptr) {
  util::ManualClock clock;
  delivery::FakeTransport transport(clock, [](const delivery::HttpRequest&) {
    delivery::FakeReply reply;
    reply.latency_us = 10000;  // far longer than the recorded gaps
    return reply;
  });
  run::ReplayOptions options;
  options.journal = path;
  options.speed = speed;
  const run::ReplayResult r = run::replay(options, transport, clock);
  if (result) *result = r;
  std::map<std::string, std::vector<Sent>> out;
  for (std::size_t i = 0; i < transport.requests().size(); ++i) {
    const std::string& body = transport.requests()[i].body;
    out[body.substr(0, 1)].push_back({body, transport.submit_times()[i]});
  }
  return out;
}

}  // namespace

TEST_CASE("replay: a call's next request waits for the previous answer; calls go in parallel") {
  TempJournal journal;
  write_journal(journal.path);
  for (double speed : {1.0, 0.0}) {
    INFO("speed " << speed);
    run::ReplayResult result;
    const auto calls = replay_per_call(journal.path, speed, &result);
    CHECK(result.sent == 5);
    CHECK(result.ok == 5);
    REQUIRE(calls.at("A").size() == 3);
    REQUIRE(calls.at("B").size() == 2);
    const auto& a = calls.at("A");
    const auto& b = calls.at("B");
    CHECK(a[0].body == "A1");
    CHECK(a[1].body == "A2");
    CHECK(a[2].body == "A3");
    CHECK(b[0].body == "B1");
    CHECK(b[1].body == "B2");
    // Each request of a call after the previous answer (10 ms).
    CHECK(a[1].at_us == a[0].at_us + 10000);
    CHECK(a[2].at_us == a[1].at_us + 10000);
    CHECK(b[1].at_us == b[0].at_us + 10000);
    // B does not wait for A.
    CHECK(b[0].at_us < a[1].at_us);
    CHECK(a[0].at_us == 0);
    CHECK(b[0].at_us == (speed > 0 ? 500 : 0));  // its recorded moment, or at once at max speed
  }
}

TEST_CASE("replay: --only keeps one call; the calls seen are kept for a call that is not there") {
  TempJournal journal;
  write_journal(journal.path);
  util::ManualClock clock;
  delivery::FakeTransport transport(clock, [](const delivery::HttpRequest&) { return delivery::FakeReply{}; });
  run::ReplayOptions options;
  options.journal = journal.path;
  options.speed = 0;
  options.only = "B";
  CHECK(run::replay(options, transport, clock).sent == 2);
  options.only = "C";
  const auto none = run::replay(options, transport, clock);
  CHECK(none.sent == 0);
  CHECK(none.calls_seen == std::vector<std::string>{"A", "B"});
}
