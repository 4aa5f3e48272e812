#pragma once
// Deterministic random numbers. Every random choice in callhook derives from
// the scenario seed through these functions, so a seed replays byte for byte.
// Distributions are written out here (not <random>'s), because the standard
// leaves their algorithms to each library and we promise identical output.
#include <cmath>
#include <cstdint>
#include <string_view>

namespace callhook::util {

// splitmix64 step: a good 64-bit mixer, used to derive independent seeds.
constexpr std::uint64_t mix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Seed for a named sub-stream: derive(seed, stream, index, "faults") etc.
constexpr std::uint64_t derive(std::uint64_t seed, std::uint64_t a, std::uint64_t b = 0, std::string_view salt = {}) {
  std::uint64_t h = mix64(seed ^ 0x6a09e667f3bcc908ULL);
  h = mix64(h ^ a);
  h = mix64(h ^ b);
  for (char c : salt) h = mix64(h ^ static_cast<unsigned char>(c));
  return h;
}

// xoshiro256** generator.
class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) {
    std::uint64_t x = seed;
    for (auto& s : m_state) {
      x = mix64(x);
      s = x;
    }
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(m_state[1] * 5, 7) * 9;
    const std::uint64_t t = m_state[1] << 17;
    m_state[2] ^= m_state[0];
    m_state[3] ^= m_state[1];
    m_state[1] ^= m_state[2];
    m_state[0] ^= m_state[3];
    m_state[2] ^= t;
    m_state[3] = rotl(m_state[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  // Uniform integer in [lo, hi] (inclusive).
  std::int64_t range(std::int64_t lo, std::int64_t hi) {
    if (hi <= lo) return lo;
    // In unsigned arithmetic: hi - lo overflows int64 for wide ranges, and
    // the whole int64 range has 2^64 values (a span of 0 here).
    const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    const std::uint64_t offset = span == 0 ? next() : next() % span;
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + offset);
  }
  bool chance(double p) { return p > 0 && uniform() < p; }
  double normal(double mean, double stddev) {
    // Box-Muller; 1 - u keeps log() away from zero.
    const double u1 = 1.0 - uniform();
    const double u2 = uniform();
    return mean + stddev * std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * M_PI * u2);
  }
  double exponential(double mean) { return -mean * std::log(1.0 - uniform()); }
  double lognormal(double mu, double sigma) { return std::exp(normal(mu, sigma)); }
  // Index picked with the given weights (all >= 0, sum > 0).
  template <class Weights>
  std::size_t weighted(const Weights& weights) {
    double total = 0;
    for (double w : weights) total += w;
    double r = uniform() * total;
    std::size_t i = 0;
    for (double w : weights) {
      if (r < w) return i;
      r -= w;
      ++i;
    }
    return i == 0 ? 0 : i - 1;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t m_state[4];
};

}  // namespace callhook::util
