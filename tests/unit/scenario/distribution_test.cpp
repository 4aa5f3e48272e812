// Distribution::sample: the right shape for each form, and never negative.
#include <cmath>

#include <catch2/catch.hpp>

#include "scenario/scenario.hpp"

using callhook::scenario::Distribution;
using callhook::util::Rng;
using K = Distribution::Kind;

TEST_CASE("each distribution's sample mean is close to its mean", "[scenario][distribution]") {
  struct Row {
    Distribution d;
    double mean;
    double lo, hi;  // every sample falls in [lo, hi]
  };
  const std::vector<Row> table = {
      {{K::Fixed, 42, 0}, 42, 42, 42},
      {{K::Uniform, 40, 240}, 140, 40, 240},
      {{K::Normal, 120, 10}, 120, 0, 1e9},
      {{K::Exponential, 90, 0}, 90, 0, 1e9},
      {{K::Lognormal, 2, 0.5}, std::exp(2 + 0.5 * 0.5 / 2), 0, 1e9},
  };
  for (const auto& row : table) {
    CAPTURE(static_cast<int>(row.d.kind), row.d.a, row.d.b);
    Rng rng(12345);
    const int n = 200000;
    double sum = 0;
    int outside = 0;
    for (int i = 0; i < n; ++i) {
      const double x = row.d.sample(rng);
      outside += x < row.lo || x > row.hi;
      sum += x;
    }
    CHECK(outside == 0);
    CHECK(sum / n == Approx(row.mean).epsilon(0.01));
  }
}

TEST_CASE("samples are clamped at zero", "[scenario][distribution]") {
  const Distribution d{K::Normal, -5, 1};
  Rng rng(7);
  for (int i = 0; i < 1000; ++i) CHECK(d.sample(rng) == 0);
}

TEST_CASE("the same seed gives the same samples", "[scenario][distribution]") {
  const Distribution d{K::Lognormal, 3, 1};
  Rng a(99), b(99), c(100);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const double x = d.sample(a);
    CHECK(x == d.sample(b));
    differs = differs || x != d.sample(c);
  }
  CHECK(differs);
}
