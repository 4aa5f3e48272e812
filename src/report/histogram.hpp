#pragma once
// Latency histogram with fixed memory and bounded relative error.
//
// Values (microseconds) below 128 get one bucket each. Above that, every
// power of two [2^k, 2^(k+1)) is split into 64 equal buckets, so a bucket is
// at most 1/64 of its lower bound wide; answering with the bucket's middle
// keeps any percentile within 1/128 (< 0.8%) of a value in that bucket.
// Buckets run up to 2^36 us (about 19 hours); larger values share the last
// bucket, and min/max stay exact. 1984 counters: about 16 KB, fixed.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace callhook::report {

class Histogram {
 public:
  Histogram();

  // Counts one value; negative values count as 0.
  void record(std::int64_t value_us);
  // Adds every value counted by `other`.
  void merge(const Histogram& other);

  std::int64_t count() const { return m_count; }
  std::int64_t min() const { return m_count == 0 ? 0 : m_min; }
  std::int64_t max() const { return m_count == 0 ? 0 : m_max; }
  // 0 when empty.
  double mean() const;
  // Nearest-rank percentile, p in [0, 100]; within 1% of the exact value of
  // the sample set; 0 when empty. p = 0 and p = 100 give min and max exactly.
  double percentile(double p) const;

  static constexpr std::size_t k_bucket_count = 1984;

  // Counts over [low_us, high_us] (inclusive), for charts.
  struct Range {
    std::int64_t low_us;
    std::int64_t high_us;
    std::int64_t count;
  };
  // The non-empty buckets merged to 8 per power of two (128 us and up; 8 us
  // wide below), in ascending order.
  std::vector<Range> ranges() const;

  // Everything the histogram holds, for a report that must merge exactly
  // with another run's (callhook merge): each non-empty bucket as its lowest
  // value and count, with the exact min, max and sum.
  struct Exact {
    std::int64_t min = 0;
    std::int64_t max = 0;
    double sum = 0;
    std::vector<std::pair<std::int64_t, std::int64_t>> buckets;  // (lowest value in us, count), ascending
  };
  Exact exact() const;
  // The histogram an Exact describes; nullopt when a bucket's low is not the
  // lowest value of a bucket, a count is not positive, or min/max disagree
  // with the buckets.
  static std::optional<Histogram> from_exact(const Exact& exact);

 private:
  std::vector<std::uint64_t> m_buckets;
  std::int64_t m_count = 0;
  std::int64_t m_min = 0;
  std::int64_t m_max = 0;
  double m_sum = 0;
};

// A small histogram for one second of a run: 8 buckets per power of two,
// kept sparse (a second's latencies fall in a few buckets), so a long run's
// per-second series stays small. Percentiles are within about 5%.
class SparseHistogram {
 public:
  void record(std::int64_t value_us);
  std::int64_t count() const { return m_count; }
  // Nearest-rank percentile; 0 when empty.
  double percentile(double p) const;
  // Adds every value counted by `other`.
  void merge(const SparseHistogram& other);

  // Each non-empty bucket as its lowest value (us) and count, ascending; and
  // back (nullopt when a low is not a bucket's lowest value or a count is
  // not positive).
  std::vector<std::pair<std::int64_t, std::int64_t>> buckets() const;
  static std::optional<SparseHistogram> from_buckets(const std::vector<std::pair<std::int64_t, std::int64_t>>& buckets);

 private:
  std::vector<std::pair<std::uint16_t, std::uint32_t>> m_buckets;  // sorted by bucket
  std::int64_t m_count = 0;
};

}  // namespace callhook::report
