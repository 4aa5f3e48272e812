// StreamPopulation and Population: lazy, seeded, bounded, shardable.
#include <chrono>
#include <map>
#include <set>

#include <catch2/catch.hpp>

#include "population/population.hpp"
#include "test_scenarios.hpp"

using namespace callhook::population;
using namespace callhook::population::testing;

namespace {

std::vector<Call> drain(StreamPopulation& population, std::size_t limit = 1000000) {
  std::vector<Call> calls;
  while (population.peek_start() && calls.size() < limit) calls.push_back(population.next());
  return calls;
}

}  // namespace

TEST_CASE("count and for_s stop a stream", "[population]") {
  struct Row {
    callhook::scenario::Calls calls;
    std::size_t expected;
  };
  const std::vector<Row> table = {
      {calls_with(constant(2), 5), 5},
      {calls_with(constant(2), std::nullopt, 10), 20},
      {calls_with(constant(3), std::nullopt, 1), 3},
      {calls_with(constant(2), 7, 10), 7},
      {calls_with(constant(2), 100, 2.5), 5},
      {calls_with(list({0, 100, 5000}), std::nullopt), 3},
      {calls_with(list({0, 100, 5000}), std::nullopt, 5), 2},
      {calls_with(list({0, 100, 5000}), 1), 1},
      {calls_with(ramp(0, {{10, 10}}), std::nullopt), 50},
      {calls_with(ramp(0, {{10, 10}}), std::nullopt, 5), 12},
      {calls_with(poisson(2), 9), 9},
      {calls_with(constant(1), 0), 0},
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    CAPTURE(i);
    const auto s = one_stream(table[i].calls);
    StreamPopulation population(s, 0);
    const auto calls = drain(population);
    CHECK(calls.size() == table[i].expected);
    const auto planned = planned_calls(table[i].calls);
    if (planned) CHECK(*planned == calls.size());
    for (std::size_t k = 0; k < calls.size(); ++k) {
      CHECK(calls[k].index == k);
      if (k > 0) CHECK(calls[k].start_ms >= calls[k - 1].start_ms);
      // Starts are rounded to the millisecond; the offset itself is below for_s.
      if (table[i].calls.for_s)
        CHECK(static_cast<double>(calls[k].start_ms - s.epoch_ms) < *table[i].calls.for_s * 1000 + 0.5);
    }
  }
}

TEST_CASE("a Poisson stream bounded by for_s starts about rate x for_s calls", "[population]") {
  const auto s = one_stream(calls_with(poisson(20), std::nullopt, 500));
  StreamPopulation population(s, 0);
  const auto calls = drain(population);
  CHECK(static_cast<double>(calls.size()) == Approx(10000).epsilon(0.03));
  CHECK(calls.back().start_ms < s.epoch_ms + 500000);
}

TEST_CASE("start times are epoch plus offset, rounded to the millisecond", "[population]") {
  auto s = one_stream(calls_with(constant(3), 4));
  s.epoch_ms = 1000000;
  StreamPopulation population(s, 0);
  const std::vector<std::int64_t> expected = {1000000, 1000333, 1000667, 1001000};
  for (auto start : expected) {
    REQUIRE(population.peek_start() == start);
    CHECK(population.next().start_ms == start);
  }
  CHECK_FALSE(population.peek_start().has_value());
}

TEST_CASE("the same scenario gives the same calls; another seed does not", "[population]") {
  auto calls = calls_with(poisson(5), 50);
  calls.duration_s = {callhook::scenario::Distribution::Kind::Uniform, 10, 300};
  calls.turns = {callhook::scenario::Distribution::Kind::Uniform, 1, 12};
  calls.direction = {{"inbound", 1}, {"outbound", 1}};
  calls.transfer_p = 0.5;
  calls.return_p = 0.5;
  const auto a = one_stream(calls, 7), b = one_stream(calls, 7), c = one_stream(calls, 8);
  StreamPopulation pa(a, 0), pb(b, 0), pc(c, 0);
  int differences = 0;
  while (pa.peek_start()) {
    const Call x = pa.next(), y = pb.next(), z = pc.next();
    CHECK(x.start_ms == y.start_ms);
    CHECK(x.seed == y.seed);
    CHECK(x.duration_ms == y.duration_ms);
    CHECK(x.user_number == y.user_number);
    CHECK(x.direction == y.direction);
    CHECK(x.wants_agent == y.wants_agent);
    CHECK(x.return_after_ms == y.return_after_ms);
    REQUIRE(x.turns.size() == y.turns.size());
    for (std::size_t t = 0; t < x.turns.size(); ++t) {
      CHECK(x.turns[t].text == y.turns[t].text);
      CHECK(x.turns[t].start_ms == y.turns[t].start_ms);
    }
    differences += x.start_ms != z.start_ms || x.user_number != z.user_number || x.duration_ms != z.duration_ms;
  }
  CHECK_FALSE(pb.peek_start().has_value());
  CHECK(differences > 40);
}

TEST_CASE("a billion-call population is lazy", "[population][lazy]") {
  const std::vector<callhook::scenario::Arrival> arrivals = {constant(1000), poisson(1000), ramp(0, {{1000000, 2000}})};
  for (const auto& arrival : arrivals) {
    CAPTURE(static_cast<int>(arrival.kind));
    const auto s = one_stream(calls_with(arrival, 1000000000));
    const auto began = std::chrono::steady_clock::now();
    StreamPopulation population(s, 0);
    std::size_t made = 0;
    for (; made < 20000 && population.peek_start(); ++made) population.next();
    const auto elapsed = std::chrono::steady_clock::now() - began;
    CHECK(made == 20000);
    // Materialising 10^9 calls would take minutes and gigabytes; this takes milliseconds.
    CHECK(elapsed < std::chrono::seconds(5));
  }
  // Addressable arrivals jump straight to the far end of the population.
  const auto s = one_stream(calls_with(constant(1000), 1000000000));
  StreamPopulation last(s, 0, Shard{999999999, 1000000000});
  REQUIRE(last.peek_start() == s.epoch_ms + 999999999);
  CHECK(last.next().index == 999999999);
  CHECK_FALSE(last.peek_start().has_value());
}

TEST_CASE("shards split a stream into disjoint slices that make up the whole", "[population][shard]") {
  const std::vector<callhook::scenario::Arrival> arrivals = {constant(7), poisson(7), ramp(0, {{20, 10}}),
                                                             list({0, 3, 3, 50, 700, 701, 9000})};
  for (const auto& arrival : arrivals) {
    CAPTURE(static_cast<int>(arrival.kind));
    const auto s = one_stream(calls_with(arrival, 100));
    StreamPopulation whole(s, 0);
    std::map<std::uint64_t, std::int64_t> expected;
    for (const auto& call : drain(whole)) expected[call.index] = call.start_ms;

    std::map<std::uint64_t, std::int64_t> joined;
    for (std::uint64_t shard = 0; shard < 3; ++shard) {
      StreamPopulation part(s, 0, Shard{shard, 3});
      for (const auto& call : drain(part)) {
        CHECK(call.index % 3 == shard);
        CHECK(joined.emplace(call.index, call.start_ms).second);
      }
    }
    CHECK(joined == expected);
  }
}

TEST_CASE("Population merges streams in start order", "[population]") {
  callhook::scenario::Scenario s = one_stream(calls_with(constant(2), 10));
  s.streams.push_back(s.streams[0]);
  s.streams[1].calls = calls_with(constant(3), 12);
  Population population(s);
  std::vector<Call> calls;
  while (population.peek_start()) {
    const auto start = *population.peek_start();
    calls.push_back(population.next());
    CHECK(calls.back().start_ms == start);
  }
  REQUIRE(calls.size() == 22);
  std::size_t first = 0;
  for (std::size_t i = 0; i < calls.size(); ++i) {
    first += calls[i].stream == 0;
    if (i == 0) continue;
    CHECK(calls[i].start_ms >= calls[i - 1].start_ms);
    // At equal starts (0 s, 1 s, ...) stream 0 goes first.
    if (calls[i].start_ms == calls[i - 1].start_ms) CHECK(calls[i].stream > calls[i - 1].stream);
  }
  CHECK(first == 10);
}
