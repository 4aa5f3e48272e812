#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "report/histogram.hpp"
#include "util/rng.hpp"

using callhook::report::Histogram;
using callhook::report::SparseHistogram;

namespace {

// Nearest-rank percentile of a sorted sample set.
double exact_percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (p <= 0) return static_cast<double>(sorted.front());
  const auto n = static_cast<double>(sorted.size());
  auto rank = static_cast<std::size_t>(std::ceil(p * n / 100.0 - 1e-9));
  rank = std::clamp<std::size_t>(rank, 1, sorted.size());
  return static_cast<double>(sorted[rank - 1]);
}

struct SampleSet {
  std::string name;
  std::vector<std::int64_t> values;
};

std::vector<SampleSet> sample_sets() {
  std::vector<SampleSet> sets;
  callhook::util::Rng rng(callhook::util::derive(42, 1, 0, "histogram"));

  SampleSet uniform{"uniform 1us..2s", {}};
  for (int i = 0; i < 100000; ++i) uniform.values.push_back(rng.range(1, 2000000));
  sets.push_back(uniform);

  SampleSet exponential{"exponential mean 5ms", {}};
  for (int i = 0; i < 100000; ++i) {
    exponential.values.push_back(1 + static_cast<std::int64_t>(std::llround(rng.exponential(5000))));
  }
  sets.push_back(exponential);

  sets.push_back({"constant", std::vector<std::int64_t>(1000, 4321)});

  SampleSet bimodal{"bimodal 1ms and 200ms", {}};
  for (int i = 0; i < 50000; ++i) {
    bimodal.values.push_back(std::max<std::int64_t>(1, std::llround(rng.normal(1000, 50))));
    bimodal.values.push_back(std::max<std::int64_t>(1, std::llround(rng.normal(200000, 10000))));
  }
  sets.push_back(bimodal);

  SampleSet hours{"uniform 1h..5h", {}};
  for (int i = 0; i < 10000; ++i) hours.values.push_back(rng.range(3600LL * 1000000, 5 * 3600LL * 1000000));
  sets.push_back(hours);

  SampleSet small{"1..100 (exact buckets)", {}};
  for (std::int64_t v = 1; v <= 100; ++v) small.values.push_back(v);
  sets.push_back(small);
  return sets;
}

}  // namespace

TEST_CASE("histogram percentiles are within 1% of the exact ones") {
  const std::vector<double> percentiles = {0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 100};
  for (SampleSet& set : sample_sets()) {
    Histogram histogram;
    for (std::int64_t v : set.values) histogram.record(v);
    std::sort(set.values.begin(), set.values.end());
    for (double p : percentiles) {
      const double exact = exact_percentile(set.values, p);
      const double got = histogram.percentile(p);
      INFO(set.name << " p" << p << ": exact " << exact << ", got " << got);
      CHECK(std::abs(got - exact) <= 0.01 * exact);
    }
  }
}

TEST_CASE("histogram count, min, max and mean are exact") {
  for (SampleSet& set : sample_sets()) {
    Histogram histogram;
    double sum = 0;
    for (std::int64_t v : set.values) {
      histogram.record(v);
      sum += static_cast<double>(v);
    }
    INFO(set.name);
    CHECK(histogram.count() == static_cast<std::int64_t>(set.values.size()));
    CHECK(histogram.min() == *std::min_element(set.values.begin(), set.values.end()));
    CHECK(histogram.max() == *std::max_element(set.values.begin(), set.values.end()));
    CHECK(histogram.mean() == Approx(sum / static_cast<double>(set.values.size())).epsilon(1e-12));
  }
}

TEST_CASE("every single value maps to a bucket within 1/128 of it") {
  // Surrounded by 0 and a huge value, the middle value is the median and
  // comes from its bucket, not from the exact min or max.
  for (std::int64_t v = 1; v < (1LL << 36); v += 1 + v / 997) {
    Histogram histogram;
    histogram.record(0);
    histogram.record(v);
    histogram.record(1LL << 40);
    const double got = histogram.percentile(50);
    if (std::abs(got - static_cast<double>(v)) > static_cast<double>(v) / 128.0) {
      FAIL("value " << v << " reported as " << got);
    }
  }
}

TEST_CASE("merging histograms equals recording into one") {
  callhook::util::Rng rng(callhook::util::derive(7, 2));
  Histogram a, b, all;
  for (int i = 0; i < 20000; ++i) {
    const std::int64_t v = rng.range(1, 500000);
    (i % 3 == 0 ? a : b).record(v);
    all.record(v);
  }
  Histogram merged;
  merged.merge(a);
  merged.merge(b);
  CHECK(merged.count() == all.count());
  CHECK(merged.min() == all.min());
  CHECK(merged.max() == all.max());
  CHECK(merged.mean() == Approx(all.mean()));
  for (double p : {1.0, 50.0, 90.0, 99.0, 99.99}) CHECK(merged.percentile(p) == all.percentile(p));

  Histogram empty;
  merged.merge(empty);
  CHECK(merged.count() == all.count());
  empty.merge(a);
  CHECK(empty.min() == a.min());
  CHECK(empty.max() == a.max());
}

TEST_CASE("histogram edge values") {
  Histogram histogram;
  CHECK(histogram.count() == 0);
  CHECK(histogram.percentile(99) == 0);
  CHECK(histogram.mean() == 0);
  CHECK(histogram.max() == 0);

  histogram.record(-5);  // clock skew: counts as 0
  CHECK(histogram.min() == 0);
  CHECK(histogram.percentile(50) == 0);

  const std::int64_t beyond = 1LL << 42;  // past the last bucket: max stays exact
  histogram.record(beyond);
  CHECK(histogram.max() == beyond);
  CHECK(histogram.percentile(100) == static_cast<double>(beyond));
}

TEST_CASE("histogram ranges: 8 per power of two, every value counted once") {
  Histogram histogram;
  for (std::int64_t v : {3, 3, 100, 1000, 1010, 1100, 50000}) histogram.record(v);
  const auto ranges = histogram.ranges();
  std::int64_t total = 0;
  for (std::size_t i = 0; i < ranges.size(); ++i) {
    total += ranges[i].count;
    CHECK(ranges[i].low_us <= ranges[i].high_us);
    if (i > 0) CHECK(ranges[i - 1].high_us < ranges[i].low_us);
  }
  CHECK(total == 7);
  CHECK(ranges.front().low_us == 3);
  CHECK(ranges.front().count == 2);
  // 1000 and 1010 share a coarse bucket ([960, 1023]); 1100 is in the next.
  const auto holding = [&](std::int64_t v) {
    for (const auto& r : ranges)
      if (r.low_us <= v && v <= r.high_us) return r.count;
    return std::int64_t{-1};
  };
  CHECK(holding(1000) == 2);
  CHECK(holding(1100) == 1);
  CHECK(holding(50000) == 1);
}

TEST_CASE("sparse histogram: percentiles within 5%") {
  callhook::report::SparseHistogram histogram;
  CHECK(histogram.percentile(50) == 0);
  for (std::int64_t v = 1; v <= 1000; ++v) histogram.record(v * 100);
  CHECK(histogram.count() == 1000);
  CHECK(histogram.percentile(50) == Approx(50000).epsilon(0.05));
  CHECK(histogram.percentile(99) == Approx(99000).epsilon(0.05));
  CHECK(histogram.percentile(100) == Approx(100000).epsilon(0.05));
}

TEST_CASE("a histogram's exact form gives back the same histogram") {
  callhook::util::Rng rng(callhook::util::derive(7, 3));
  Histogram h;
  for (int i = 0; i < 5000; ++i) h.record(rng.range(0, 3000000));
  const Histogram::Exact exact = h.exact();
  REQUIRE(exact.buckets.size() > 100);
  std::int64_t total = 0;
  for (const auto& [low, count] : exact.buckets) total += count;
  CHECK(total == h.count());

  const auto back = Histogram::from_exact(exact);
  REQUIRE(back);
  CHECK(back->count() == h.count());
  CHECK(back->min() == h.min());
  CHECK(back->max() == h.max());
  CHECK(back->mean() == h.mean());
  for (double p : {0.0, 10.0, 50.0, 90.0, 99.0, 99.9, 100.0}) CHECK(back->percentile(p) == h.percentile(p));
  CHECK(back->exact().buckets == exact.buckets);

  const auto empty = Histogram::from_exact(Histogram().exact());
  REQUIRE(empty);
  CHECK(empty->count() == 0);
}

TEST_CASE("an exact form that does not describe a histogram is refused") {
  Histogram h;
  for (std::int64_t v : {5, 300, 301, 9000}) h.record(v);
  const Histogram::Exact good = h.exact();
  REQUIRE(Histogram::from_exact(good));

  Histogram::Exact not_a_bucket_low = good;
  not_a_bucket_low.buckets[1].first += 1;  // 300's bucket starts at 300 (4 wide); 301 is inside it
  CHECK_FALSE(Histogram::from_exact(not_a_bucket_low));
  Histogram::Exact unsorted = good;
  std::swap(unsorted.buckets[0], unsorted.buckets[1]);
  CHECK_FALSE(Histogram::from_exact(unsorted));
  Histogram::Exact zero_count = good;
  zero_count.buckets[0].second = 0;
  CHECK_FALSE(Histogram::from_exact(zero_count));
  Histogram::Exact min_elsewhere = good;
  min_elsewhere.min = 6;
  CHECK_FALSE(Histogram::from_exact(min_elsewhere));
  Histogram::Exact max_elsewhere = good;
  max_elsewhere.max = 20000;
  CHECK_FALSE(Histogram::from_exact(max_elsewhere));
}

TEST_CASE("sparse histograms merge exactly and keep their buckets through their exact form") {
  callhook::util::Rng rng(callhook::util::derive(7, 4));
  SparseHistogram a, b, all;
  for (int i = 0; i < 3000; ++i) {
    const std::int64_t v = rng.range(0, 200000);
    (i % 4 == 0 ? a : b).record(v);
    all.record(v);
  }
  SparseHistogram merged = a;
  merged.merge(b);
  CHECK(merged.count() == all.count());
  CHECK(merged.buckets() == all.buckets());
  for (double p : {1.0, 50.0, 99.0}) CHECK(merged.percentile(p) == all.percentile(p));

  const auto back = SparseHistogram::from_buckets(all.buckets());
  REQUIRE(back);
  CHECK(back->buckets() == all.buckets());
  CHECK(back->count() == all.count());
  CHECK_FALSE(SparseHistogram::from_buckets({{1024, 2}, {960, 1}}));  // out of order
  CHECK_FALSE(SparseHistogram::from_buckets({{1000, 2}}));            // inside [960, 1024)
  CHECK(SparseHistogram::from_buckets({{1024, 2}}));
}
