#include "report/histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace callhook::report {
namespace {

constexpr int k_linear_bits = 7;  // values < 128 are exact
constexpr std::uint64_t k_linear = 1ULL << k_linear_bits;
constexpr int k_sub_bits = k_linear_bits - 1;  // 64 buckets per octave
constexpr std::uint64_t k_sub = 1ULL << k_sub_bits;
constexpr int k_top_octave = 35;  // [2^35, 2^36)
static_assert(Histogram::k_bucket_count == k_linear + (k_top_octave - k_linear_bits + 1) * k_sub);

std::size_t bucket_of(std::uint64_t value) {
  if (value < k_linear) return static_cast<std::size_t>(value);
  const int octave = static_cast<int>(std::bit_width(value)) - 1;
  if (octave > k_top_octave) return Histogram::k_bucket_count - 1;
  const int shift = octave - k_sub_bits;
  const std::uint64_t sub = (value >> shift) - k_sub;
  return static_cast<std::size_t>(k_linear + static_cast<std::uint64_t>(octave - k_linear_bits) * k_sub + sub);
}

// The middle of the integers a bucket holds.
double middle_of(std::size_t bucket) {
  if (bucket < k_linear) return static_cast<double>(bucket);
  const std::size_t above = bucket - k_linear;
  const int octave = static_cast<int>(above / k_sub) + k_linear_bits;
  const std::uint64_t sub = above % k_sub + k_sub;
  const int shift = octave - k_sub_bits;
  const std::uint64_t low = sub << shift;
  const std::uint64_t width = 1ULL << shift;
  return static_cast<double>(low) + static_cast<double>(width - 1) / 2.0;
}

// The integers bucket `bucket` holds: [low, low + width).
std::pair<std::uint64_t, std::uint64_t> bounds_of(std::size_t bucket) {
  if (bucket < k_linear) return {bucket, 1};
  const std::size_t above = bucket - k_linear;
  const int octave = static_cast<int>(above / k_sub) + k_linear_bits;
  const std::uint64_t sub = above % k_sub + k_sub;
  const int shift = octave - k_sub_bits;
  return {sub << shift, 1ULL << shift};
}

// Coarse buckets: 8 per octave, values below 8 exact.
constexpr int k_coarse_bits = 3;

std::uint16_t coarse_bucket_of(std::uint64_t value) {
  if (value < (1U << k_coarse_bits)) return static_cast<std::uint16_t>(value);
  const int octave = static_cast<int>(std::bit_width(value)) - 1;
  const int shift = octave - k_coarse_bits;
  const std::uint64_t sub = (value >> shift) - (1U << k_coarse_bits);
  return static_cast<std::uint16_t>((1U << k_coarse_bits) + static_cast<unsigned>(octave - k_coarse_bits) * 8U + sub);
}

// The integers coarse bucket `bucket` holds: [low, low + width).
std::pair<std::uint64_t, std::uint64_t> coarse_bounds_of(std::uint16_t bucket) {
  if (bucket < (1U << k_coarse_bits)) return {bucket, 1};
  const unsigned above = bucket - (1U << k_coarse_bits);
  const int shift = static_cast<int>(above / 8U);
  return {static_cast<std::uint64_t>(above % 8U + 8U) << shift, 1ULL << shift};
}

double coarse_middle_of(std::uint16_t bucket) {
  const auto [low, width] = coarse_bounds_of(bucket);
  return static_cast<double>(low) + static_cast<double>(width - 1) / 2.0;
}

}  // namespace

Histogram::Histogram() : m_buckets(k_bucket_count, 0) {}

void Histogram::record(std::int64_t value_us) {
  const std::int64_t value = std::max<std::int64_t>(value_us, 0);
  ++m_buckets[bucket_of(static_cast<std::uint64_t>(value))];
  if (m_count == 0 || value < m_min) m_min = value;
  if (m_count == 0 || value > m_max) m_max = value;
  ++m_count;
  m_sum += static_cast<double>(value);
}

void Histogram::merge(const Histogram& other) {
  if (other.m_count == 0) return;
  for (std::size_t i = 0; i < k_bucket_count; ++i) m_buckets[i] += other.m_buckets[i];
  m_min = m_count == 0 ? other.m_min : std::min(m_min, other.m_min);
  m_max = m_count == 0 ? other.m_max : std::max(m_max, other.m_max);
  m_count += other.m_count;
  m_sum += other.m_sum;
}

double Histogram::mean() const { return m_count == 0 ? 0.0 : m_sum / static_cast<double>(m_count); }

double Histogram::percentile(double p) const {
  if (m_count == 0) return 0.0;
  if (p <= 0) return static_cast<double>(m_min);
  if (p >= 100) return static_cast<double>(m_max);
  // The epsilon keeps 99.9% of 1000 at rank 999 despite 99.9 being inexact.
  const double wanted = std::ceil(p * static_cast<double>(m_count) / 100.0 - 1e-9);
  const auto rank =
      std::clamp<std::uint64_t>(static_cast<std::uint64_t>(wanted), 1, static_cast<std::uint64_t>(m_count));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < k_bucket_count; ++i) {
    seen += m_buckets[i];
    if (seen >= rank) {
      return std::clamp(middle_of(i), static_cast<double>(m_min), static_cast<double>(m_max));
    }
  }
  return static_cast<double>(m_max);
}

std::vector<Histogram::Range> Histogram::ranges() const {
  std::vector<Range> out;
  for (std::size_t i = 0; i < k_bucket_count; ++i) {
    if (m_buckets[i] == 0) continue;
    const auto [low, width] = bounds_of(i);
    // Merge into the coarse bucket of the low bound: 8 per octave.
    const std::uint16_t coarse = coarse_bucket_of(low);
    const auto count = static_cast<std::int64_t>(m_buckets[i]);
    const auto high = static_cast<std::int64_t>(low + width - 1);
    if (!out.empty() && coarse_bucket_of(static_cast<std::uint64_t>(out.back().low_us)) == coarse) {
      out.back().high_us = high;
      out.back().count += count;
    } else {
      out.push_back(Range{static_cast<std::int64_t>(low), high, count});
    }
  }
  return out;
}

Histogram::Exact Histogram::exact() const {
  Exact out;
  out.min = min();
  out.max = max();
  out.sum = m_sum;
  for (std::size_t i = 0; i < k_bucket_count; ++i)
    if (m_buckets[i] > 0)
      out.buckets.emplace_back(static_cast<std::int64_t>(bounds_of(i).first), static_cast<std::int64_t>(m_buckets[i]));
  return out;
}

std::optional<Histogram> Histogram::from_exact(const Exact& exact) {
  Histogram out;
  std::size_t previous = 0;
  for (const auto& [low, count] : exact.buckets) {
    if (low < 0 || count <= 0) return std::nullopt;
    const std::size_t bucket = bucket_of(static_cast<std::uint64_t>(low));
    if (bounds_of(bucket).first != static_cast<std::uint64_t>(low)) return std::nullopt;
    if (out.m_count > 0 && bucket <= previous) return std::nullopt;
    previous = bucket;
    out.m_buckets[bucket] = static_cast<std::uint64_t>(count);
    out.m_count += count;
  }
  if (out.m_count == 0) return out;
  const auto first = static_cast<std::size_t>(bucket_of(static_cast<std::uint64_t>(exact.buckets.front().first)));
  if (exact.min < 0 || exact.max < exact.min || bucket_of(static_cast<std::uint64_t>(exact.min)) != first ||
      bucket_of(static_cast<std::uint64_t>(exact.max)) != previous || !std::isfinite(exact.sum) || exact.sum < 0)
    return std::nullopt;
  out.m_min = exact.min;
  out.m_max = exact.max;
  out.m_sum = exact.sum;
  return out;
}

void SparseHistogram::record(std::int64_t value_us) {
  const std::uint16_t bucket = coarse_bucket_of(static_cast<std::uint64_t>(std::max<std::int64_t>(value_us, 0)));
  auto it = std::lower_bound(m_buckets.begin(), m_buckets.end(), bucket,
                             [](const auto& entry, std::uint16_t b) { return entry.first < b; });
  if (it != m_buckets.end() && it->first == bucket)
    ++it->second;
  else
    m_buckets.insert(it, {bucket, 1U});
  ++m_count;
}

void SparseHistogram::merge(const SparseHistogram& other) {
  std::vector<std::pair<std::uint16_t, std::uint32_t>> merged;
  merged.reserve(m_buckets.size() + other.m_buckets.size());
  auto a = m_buckets.begin();
  auto b = other.m_buckets.begin();
  while (a != m_buckets.end() || b != other.m_buckets.end()) {
    if (b == other.m_buckets.end() || (a != m_buckets.end() && a->first < b->first)) {
      merged.push_back(*a++);
    } else if (a == m_buckets.end() || b->first < a->first) {
      merged.push_back(*b++);
    } else {
      merged.emplace_back(a->first, a->second + b->second);
      ++a;
      ++b;
    }
  }
  m_buckets = std::move(merged);
  m_count += other.m_count;
}

std::vector<std::pair<std::int64_t, std::int64_t>> SparseHistogram::buckets() const {
  std::vector<std::pair<std::int64_t, std::int64_t>> out;
  out.reserve(m_buckets.size());
  for (const auto& [bucket, count] : m_buckets)
    out.emplace_back(static_cast<std::int64_t>(coarse_bounds_of(bucket).first), static_cast<std::int64_t>(count));
  return out;
}

std::optional<SparseHistogram> SparseHistogram::from_buckets(
    const std::vector<std::pair<std::int64_t, std::int64_t>>& buckets) {
  SparseHistogram out;
  for (const auto& [low, count] : buckets) {
    if (low < 0 || count <= 0 || count > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    const std::uint16_t bucket = coarse_bucket_of(static_cast<std::uint64_t>(low));
    if (coarse_bounds_of(bucket).first != static_cast<std::uint64_t>(low)) return std::nullopt;
    if (!out.m_buckets.empty() && bucket <= out.m_buckets.back().first) return std::nullopt;
    out.m_buckets.emplace_back(bucket, static_cast<std::uint32_t>(count));
    out.m_count += count;
  }
  return out;
}

double SparseHistogram::percentile(double p) const {
  if (m_count == 0) return 0.0;
  const double wanted = std::ceil(std::clamp(p, 0.0, 100.0) * static_cast<double>(m_count) / 100.0 - 1e-9);
  const auto rank = std::clamp<std::int64_t>(static_cast<std::int64_t>(wanted), 1, m_count);
  std::int64_t seen = 0;
  for (const auto& [bucket, count] : m_buckets) {
    seen += count;
    if (seen >= rank) return coarse_middle_of(bucket);
  }
  return coarse_middle_of(m_buckets.back().first);
}

}  // namespace callhook::report
