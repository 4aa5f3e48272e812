#include <catch2/catch.hpp>

#include <array>
#include <cstdint>
#include <set>
#include <vector>

#include "util/rng.hpp"

using namespace callhook::util;

TEST_CASE("mix64 is splitmix64", "[util][rng]") {
  // Reference values of one splitmix64 step from states 0 and 1.
  CHECK(mix64(0) == 0xe220a8397b1dcdafULL);
  CHECK(mix64(1) == 0x910a2dec89025cc1ULL);
}

TEST_CASE("a seed gives the same stream, another seed another", "[util][rng]") {
  Rng a(42), b(42), c(43);
  std::vector<std::uint64_t> first, second, other;
  for (int i = 0; i < 16; ++i) {
    first.push_back(a.next());
    second.push_back(b.next());
    other.push_back(c.next());
  }
  CHECK(first == second);
  CHECK(first != other);
  CHECK(std::set<std::uint64_t>(first.begin(), first.end()).size() == first.size());
}

TEST_CASE("derive separates sub-streams by every argument", "[util][rng]") {
  const std::uint64_t base = derive(7, 1, 2, "faults");
  CHECK(base == derive(7, 1, 2, "faults"));
  CHECK(base != derive(8, 1, 2, "faults"));
  CHECK(base != derive(7, 2, 2, "faults"));
  CHECK(base != derive(7, 1, 3, "faults"));
  CHECK(base != derive(7, 1, 2, "arrival"));
  CHECK(derive(7, 1, 2) != derive(7, 2, 1));
}

TEST_CASE("draws stay in their ranges", "[util][rng]") {
  Rng rng(1);
  std::array<int, 5> seen{};
  for (int i = 0; i < 10000; ++i) {
    const double u = rng.uniform();
    REQUIRE(u >= 0.0);
    REQUIRE(u < 1.0);
    const double v = rng.uniform(-2.0, 3.0);
    REQUIRE(v >= -2.0);
    REQUIRE(v < 3.0);
    const std::int64_t r = rng.range(10, 14);
    REQUIRE(r >= 10);
    REQUIRE(r <= 14);
    ++seen[static_cast<std::size_t>(r - 10)];
    REQUIRE(rng.exponential(5.0) >= 0.0);
    REQUIRE(rng.lognormal(0.0, 1.0) > 0.0);
  }
  for (const int count : seen) CHECK(count > 1500);  // each of 5 values about 2000 times
  CHECK(rng.range(5, 5) == 5);
  CHECK(rng.range(5, 1) == 5);
  // The widest ranges once overflowed (hi - lo) and divided by zero.
  CHECK(rng.range(INT64_MIN, INT64_MAX) != rng.range(INT64_MIN, INT64_MAX));
  for (int i = 0; i < 100; ++i) {
    const std::int64_t wide = rng.range(-5, INT64_MAX);
    CHECK(wide >= -5);
  }
}

TEST_CASE("chance and weighted follow their probabilities", "[util][rng]") {
  Rng rng(3);
  int hits = 0;
  std::array<int, 3> picks{};
  for (int i = 0; i < 10000; ++i) {
    CHECK_FALSE(rng.chance(0.0));
    if (rng.chance(0.25)) ++hits;
    ++picks[rng.weighted(std::vector<double>{1.0, 0.0, 3.0})];
  }
  CHECK(hits > 2200);
  CHECK(hits < 2800);
  CHECK(picks[1] == 0);  // a zero weight is never picked
  CHECK(picks[0] > 2200);
  CHECK(picks[0] < 2800);
  CHECK(picks[2] > 7200);
}

TEST_CASE("normal draws centre on the mean", "[util][rng]") {
  Rng rng(9);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) sum += rng.normal(100.0, 10.0);
  CHECK(sum / 10000 == Approx(100.0).margin(0.5));
}
