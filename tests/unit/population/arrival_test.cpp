// Arrival offsets: constant, list, Poisson and ramp, as pure functions and in sequence.
#include <cmath>

#include <catch2/catch.hpp>

#include "population/arrival.hpp"
#include "test_scenarios.hpp"

using namespace callhook::population;
using namespace callhook::population::testing;
using callhook::scenario::RampStage;

TEST_CASE("constant arrivals are i / rate", "[population][arrival]") {
  struct Row {
    double rate;
    std::uint64_t index;
    double offset_ms;
  };
  const std::vector<Row> table = {
      {2, 0, 0}, {2, 1, 500}, {2, 7, 3500}, {0.5, 3, 6000}, {1000, 999999999, 999999999}, {3, 1, 1000.0 / 3},
  };
  for (const auto& row : table) {
    CAPTURE(row.rate, row.index);
    CHECK(arrival_offset_ms(constant(row.rate), row.index) == Approx(row.offset_ms));
  }
}

TEST_CASE("list arrivals are the listed times and end with the list", "[population][arrival]") {
  const auto a = list({0, 150, 150, 4000});
  CHECK(arrival_offset_ms(a, 0) == 0);
  CHECK(arrival_offset_ms(a, 2) == 150);
  CHECK(arrival_offset_ms(a, 3) == 4000);
  CHECK_FALSE(arrival_offset_ms(a, 4).has_value());
}

TEST_CASE("Poisson arrivals are not addressable by index", "[population][arrival]") {
  CHECK_FALSE(arrival_offset_ms(poisson(5), 0).has_value());
}

TEST_CASE("Poisson arrivals keep their mean rate and exponential spread", "[population][arrival]") {
  const std::vector<double> rates = {0.5, 5, 50, 2000};
  for (double rate : rates) {
    CAPTURE(rate);
    const auto a = poisson(rate);
    ArrivalSequence seq(a, 42);
    const int n = 100000;
    double previous = 0, sum = 0, sum_sq = 0;
    for (int i = 0; i < n; ++i) {
      REQUIRE(seq.peek().has_value());
      const double gap = *seq.peek() - previous;
      previous = *seq.peek();
      sum += gap;
      sum_sq += gap * gap;
      seq.seek(seq.index() + 1);
    }
    const double mean = sum / n;
    const double sd = std::sqrt(sum_sq / n - mean * mean);
    CHECK(mean == Approx(1000.0 / rate).epsilon(0.01));
    CHECK(sd / mean == Approx(1.0).epsilon(0.03));  // exponential: sd equals mean
  }
}

TEST_CASE("Poisson arrivals depend only on the seed", "[population][arrival]") {
  const auto a = poisson(10);
  ArrivalSequence one(a, 1), same(a, 1), other(a, 2);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    CHECK(*one.peek() == *same.peek());
    differs = differs || *one.peek() != *other.peek();
    one.seek(one.index() + 1);
    same.seek(same.index() + 1);
    other.seek(other.index() + 1);
  }
  CHECK(differs);
}

// Expected calls in [0, t] for the ramp 0 -> 100/s over 10 s, 100/s for 10 s,
// 100 -> 0 over 10 s, worked out by hand.
static double planned_area(double t) {
  if (t <= 10) return 5 * t * t;
  if (t <= 20) return 500 + 100 * (t - 10);
  const double u = std::min(t, 30.0) - 20;
  return 1500 + 100 * u - 5 * u * u;
}

TEST_CASE("ramp arrivals per second follow the planned curve", "[population][arrival]") {
  const auto a = ramp(0, {{10, 100}, {10, 100}, {10, 0}});
  const RampCurve curve(a);
  REQUIRE(curve.capacity() == 2000);
  std::vector<int> per_second(30, 0);
  ArrivalSequence seq(a, 0);
  std::uint64_t n = 0;
  for (; seq.peek(); seq.seek(seq.index() + 1), ++n) {
    const double offset = *seq.peek();
    REQUIRE(offset >= 0);
    REQUIRE(offset <= 30000);
    per_second[std::min<std::size_t>(29, static_cast<std::size_t>(offset / 1000))]++;
  }
  CHECK(n == 2000);
  for (int s = 0; s < 30; ++s) {
    CAPTURE(s);
    const double expected = planned_area(s + 1) - planned_area(s);
    CHECK(std::abs(per_second[static_cast<std::size_t>(s)] - expected) <= 1.0);
  }
}

TEST_CASE("ramp call i starts where the planned area reaches i + 1", "[population][arrival]") {
  const auto a = ramp(0, {{10, 100}, {10, 100}, {10, 0}});
  const std::vector<std::uint64_t> indices = {0, 1, 49, 499, 500, 1234, 1499, 1500, 1998, 1999};
  for (auto i : indices) {
    CAPTURE(i);
    const auto offset = arrival_offset_ms(a, i);
    REQUIRE(offset.has_value());
    CHECK(planned_area(*offset / 1000) == Approx(static_cast<double>(i) + 1).epsilon(1e-9));
  }
  CHECK_FALSE(arrival_offset_ms(a, 2000).has_value());
}

TEST_CASE("ramp edge shapes", "[population][arrival]") {
  SECTION("flat stages match the constant arrival one call later") {
    const auto r = ramp(4, {{5, 4}, {5, 4}});
    for (std::uint64_t i = 0; i < 39; ++i)
      CHECK(*arrival_offset_ms(r, i) == Approx(*arrival_offset_ms(constant(4), i + 1)));
    CHECK(RampCurve(r).capacity() == 40);
  }
  SECTION("a pause stage holds arrivals back") {
    // The rate moves linearly within a stage, so a pause is a short drop, a
    // flat stage at zero and a short rise.
    const auto r = ramp(10, {{1, 10}, {0.001, 0}, {5, 0}, {0.001, 10}, {1, 10}});
    // 10 calls in the first second, then nothing until the last stage.
    CHECK(*arrival_offset_ms(r, 9) <= 1000);
    CHECK(*arrival_offset_ms(r, 10) > 6000);
  }
  SECTION("a ramp down ends at its area") {
    const auto r = ramp(100, {{2, 0}});
    CHECK(RampCurve(r).capacity() == 100);
    CHECK(*arrival_offset_ms(r, 99) == Approx(2000));
  }
  SECTION("a ramp with no area has no calls") {
    const auto r = ramp(0, {{60, 0}});
    CHECK(RampCurve(r).capacity() == 0);
    CHECK_FALSE(arrival_offset_ms(r, 0).has_value());
  }
}

TEST_CASE("the sequence agrees with the pure function where it exists", "[population][arrival]") {
  const std::vector<callhook::scenario::Arrival> arrivals = {constant(3), list({0, 5, 5, 90, 1000}),
                                                             ramp(1, {{3, 50}, {2, 50}, {4, 2}})};
  for (const auto& a : arrivals) {
    CAPTURE(static_cast<int>(a.kind));
    ArrivalSequence seq(a, 3);
    for (std::uint64_t i = 0; i < 300; ++i, seq.seek(i)) {
      CAPTURE(i);
      const auto pure = arrival_offset_ms(a, i);
      REQUIRE(seq.peek().has_value() == pure.has_value());
      if (pure) CHECK(*seq.peek() == *pure);
    }
    // Seeking backwards recomputes from scratch.
    seq.seek(0);
    CHECK(*seq.peek() == *arrival_offset_ms(a, 0));
  }
}

TEST_CASE("planned_calls counts without walking where it can", "[population][arrival]") {
  struct Row {
    callhook::scenario::Calls calls;
    std::optional<std::uint64_t> expected;
  };
  const std::vector<Row> table = {
      {calls_with(constant(2), 5), 5},
      {calls_with(constant(2), std::nullopt, 10), 20},
      {calls_with(constant(3), std::nullopt, 1), 3},
      {calls_with(constant(2), 7, 10), 7},
      {calls_with(list({0, 100, 5000}), std::nullopt), 3},
      {calls_with(list({0, 100, 5000}), std::nullopt, 5), 2},
      {calls_with(list({0, 100, 5000}), 1), 1},
      {calls_with(ramp(0, {{10, 10}}), std::nullopt), 50},
      {calls_with(ramp(0, {{10, 10}}), std::nullopt, 5), 12},
      {calls_with(ramp(0, {{10, 10}}), 20), 20},
      {calls_with(poisson(2), 9), 9},
      {calls_with(poisson(2), std::nullopt, 10), std::nullopt},
  };
  for (std::size_t i = 0; i < table.size(); ++i) {
    CAPTURE(i);
    CHECK(planned_calls(table[i].calls) == table[i].expected);
  }
}
