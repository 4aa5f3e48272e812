// Named reorder patterns: which deliveries they move, and when they must not.
#include <algorithm>

#include <catch2/catch.hpp>

#include "faults/faults.hpp"
#include "faults/roles.hpp"

using callhook::faults::apply;
using callhook::faults::Role;
using callhook::faults::role_of;
using callhook::scenario::FaultPlan;
using callhook::scenario::Reorder;
using callhook::scenario::Stream;
using callhook::util::Rng;
using callhook::vendors::Delivery;

namespace {

Delivery delivery(const std::string& event, std::int64_t due, bool blocking = false) {
  Delivery d;
  d.event = event;
  d.body = R"({"type":")" + event + R"("})";
  d.due_ms = due;
  d.blocking = blocking;
  d.event_id = event + "@" + std::to_string(due);
  d.event_field = "/type";
  return d;
}

Stream pattern_stream(const std::string& vendor, const std::string& pattern, double p = 1) {
  Stream s;
  s.vendor = vendor;
  s.faults.reorder = Reorder{p, 0, {pattern}};
  return s;
}

std::vector<std::string> events(const std::vector<Delivery>& batch) {
  std::vector<std::string> out;
  for (const auto& d : batch) out.push_back(d.event);
  return out;
}

std::vector<Delivery> run(std::vector<Delivery> batch, const Stream& stream, std::uint64_t seed = 1) {
  Rng rng(seed);
  apply(batch, stream, rng);
  return batch;
}

std::size_t position(const std::vector<Delivery>& batch, const std::string& event_id) {
  for (std::size_t i = 0; i < batch.size(); ++i)
    if (batch[i].event_id == event_id) return i;
  return batch.size();
}

}  // namespace

TEST_CASE("event roles of the vendors") {
  struct Row {
    const char* vendor;
    const char* event;
    Role role;
    const char* partner;
  };
  const Row rows[] = {
      {"voiceflow", "runtime.call.start", Role::Start, ""},
      {"voiceflow", "runtime.session.end", Role::End, "runtime.session.start"},
      {"voiceflow", "runtime.call.end", Role::End, "runtime.call.start"},
      {"voicebot", "session_end", Role::End, "session_start"},
      {"voicebot", "transcript_events", Role::Transcript, ""},
      {"atoms", "call.end", Role::End, "call.start"},
      {"atoms", "post-conversation", Role::End, "pre-conversation"},
      {"fonedynamics", "Call.Complete", Role::End, "Call.Initiate"},
      {"exotel", "status_callback", Role::End, "passthru"},
      {"voicekit", "call_finalized", Role::Recording, "call_ended"},
      {"voicekit", "call.end", Role::Other, ""},  // another vendor's name
      {"atoms", "analytics.completed", Role::Other, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.vendor, row.event);
    const auto role = role_of(row.vendor, row.event);
    CHECK(role.role == row.role);
    CHECK(role.partner == row.partner);
  }
}

TEST_CASE("end_before_start sends each end before its start") {
  struct Row {
    const char* vendor;
    std::vector<Delivery> batch;
    std::vector<std::string> expected;
  };
  const std::vector<Row> rows = {
      {"atoms",
       {delivery("call.start", 1000), delivery("call.end", 60000), delivery("analytics.completed", 90000)},
       {"call.end", "call.start", "analytics.completed"}},
      {"fonedynamics",
       {delivery("Call.Initiate", 1000), delivery("Call.Complete", 1000)},  // equal times: end goes 1 ms ahead
       {"Call.Complete", "Call.Initiate"}},
      {"voiceflow",
       {delivery("runtime.session.start", 1000), delivery("runtime.call.start", 1010),
        delivery("runtime.call.end", 50000), delivery("runtime.session.end", 53000)},
       {"runtime.call.end", "runtime.call.start", "runtime.session.end", "runtime.session.start"}},
      {"exotel", {delivery("passthru", 40000), delivery("status_callback", 43000)}, {"status_callback", "passthru"}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.vendor);
    const auto batch = run(row.batch, pattern_stream(row.vendor, "end_before_start"));
    CHECK(events(batch) == row.expected);
    // Nothing goes before the moment it reports: each end keeps its planned
    // time and its start is held back until just after it.
    for (const auto& d : batch) {
      INFO(d.event);
      const auto role = role_of(row.vendor, d.event);
      if (role.role == Role::End) CHECK(d.due_ms == d.planned_ms);
      if (role.role == Role::Start) {
        CHECK(d.due_ms >= d.planned_ms);
        for (const auto& end : batch)
          if (role_of(row.vendor, end.event).partner == d.event) CHECK(d.due_ms == end.due_ms + 1);
      }
    }
    for (const auto& d : batch) {
      const auto marks = std::count(d.faults.begin(), d.faults.end(), "end_before_start");
      CHECK(marks == (d.event == "analytics.completed" ? 0 : 1));
    }
  }
}

TEST_CASE("end_before_start pairs a returning caller's end with its own start") {
  const std::vector<Delivery> before = {delivery("runtime.call.start", 1000), delivery("runtime.call.end", 2000),
                                        delivery("runtime.call.start", 3000), delivery("runtime.call.end", 4000)};
  const auto batch = run(before, pattern_stream("voiceflow", "end_before_start"));
  CHECK(position(batch, "runtime.call.end@2000") < position(batch, "runtime.call.start@1000"));
  CHECK(position(batch, "runtime.call.end@4000") < position(batch, "runtime.call.start@3000"));
  CHECK(position(batch, "runtime.call.start@1000") < position(batch, "runtime.call.end@4000"));
}

TEST_CASE("end_before_start leaves the batch alone when it cannot or should not fire") {
  SECTION("probability 0") {
    const auto batch =
        run({delivery("call.start", 1000), delivery("call.end", 5000)}, pattern_stream("atoms", "end_before_start", 0));
    CHECK(events(batch) == std::vector<std::string>{"call.start", "call.end"});
    CHECK(batch[0].faults.empty());
  }
  SECTION("the start is not in this batch") {
    const auto batch = run({delivery("call.end", 5000)}, pattern_stream("atoms", "end_before_start"));
    CHECK(batch[0].due_ms == 5000);
    CHECK(batch[0].faults.empty());
  }
  SECTION("the end is a handshake") {
    const auto batch = run({delivery("Call.Initiate", 1000), delivery("Call.Complete", 5000, true)},
                           pattern_stream("fonedynamics", "end_before_start"));
    CHECK(events(batch) == std::vector<std::string>{"Call.Initiate", "Call.Complete"});
    CHECK(batch[1].due_ms == 5000);
  }
  SECTION("another pattern was asked for") {
    const auto batch = run({delivery("call.start", 1000), delivery("call.end", 5000)},
                           pattern_stream("atoms", "recording_before_end"));
    CHECK(events(batch) == std::vector<std::string>{"call.start", "call.end"});
  }
}

TEST_CASE("recording_before_end sends the recording before the call's end") {
  const std::vector<Delivery> before = {delivery("call_started", 1000), delivery("call_ended", 60000),
                                        delivery("call_finalized", 64000)};
  const auto batch = run(before, pattern_stream("voicekit", "recording_before_end"));
  CHECK(events(batch) == std::vector<std::string>{"call_started", "call_finalized", "call_ended"});
  CHECK(batch[0].faults.empty());
  CHECK(batch[1].faults == std::vector<std::string>{"recording_before_end"});
  // The recording goes when it is ready; the end is held back until after it.
  CHECK(batch[1].planned_ms == 64000);
  CHECK(batch[1].due_ms == 64000);
  CHECK(batch[2].planned_ms == 60000);
  CHECK(batch[2].due_ms == 64001);
}

TEST_CASE("transcripts_out_of_sequence always leaves the transcripts out of their planned order") {
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    CAPTURE(seed);
    for (std::size_t count : {2u, 3u, 6u}) {
      std::vector<Delivery> before = {delivery("session_start", 0)};
      for (std::size_t i = 0; i < count; ++i) {
        auto d = delivery("transcript_events", 1000 + 1000 * static_cast<std::int64_t>(i));
        d.event_id = "t" + std::to_string(i);
        before.push_back(d);
      }
      before.push_back(delivery("session_end", 90000));
      const auto batch = run(before, pattern_stream("voicebot", "transcripts_out_of_sequence"), seed);
      REQUIRE(batch.size() == before.size());
      CHECK(batch.front().event == "session_start");
      CHECK(batch.back().event == "session_end");
      std::vector<std::string> order;
      for (const auto& d : batch)
        if (d.event == "transcript_events") order.push_back(d.event_id);
      CHECK_FALSE(std::is_sorted(order.begin(), order.end()));
    }
  }
}

TEST_CASE("transcripts with equal due times still come out of sequence") {
  std::vector<Delivery> before;
  for (int i = 0; i < 3; ++i) {
    auto d = delivery("transcript_events", 1000);
    d.event_id = "t" + std::to_string(i);
    before.push_back(d);
  }
  const auto batch = run(before, pattern_stream("voicebot", "transcripts_out_of_sequence"));
  std::vector<std::string> order;
  for (const auto& d : batch) order.push_back(d.event_id);
  CHECK_FALSE(std::is_sorted(order.begin(), order.end()));
}
