#include "population/arrival.hpp"

#include <algorithm>
#include <cmath>

namespace callhook::population {

namespace {

// Float sums of stage areas land a hair below whole numbers (99.99999999);
// this much slack keeps the call that was meant to be there.
constexpr double k_area_slack = 1e-9;

}  // namespace

RampCurve::RampCurve(const scenario::Arrival& arrival) {
  double start_s = 0;
  double area = 0;
  double from = arrival.start_rate;
  for (const auto& stage : arrival.stages) {
    const double stage_area = (from + stage.target_rate) / 2 * stage.duration_s;
    m_stages.push_back({start_s, stage.duration_s, from, stage.target_rate, area, stage_area});
    start_s += stage.duration_s;
    area += stage_area;
    from = stage.target_rate;
  }
  m_capacity = static_cast<std::uint64_t>(std::floor(area + k_area_slack));
}

std::optional<double> RampCurve::offset_ms(std::uint64_t index) const {
  std::size_t hint = 0;
  return offset_ms(index, &hint);
}

std::optional<double> RampCurve::offset_ms(std::uint64_t index, std::size_t* hint) const {
  if (index >= m_capacity) return std::nullopt;
  const double wanted = static_cast<double>(index) + 1;
  std::size_t s = std::min(*hint, m_stages.size() - 1);
  if (m_stages[s].area_before > wanted) s = 0;
  while (s + 1 < m_stages.size() && m_stages[s].area_before + m_stages[s].area < wanted - k_area_slack) ++s;
  *hint = s;
  const Stage& stage = m_stages[s];
  // Within the stage the area is from*t + slope*t^2/2; this root form stays
  // exact when the slope is zero or negative.
  const double need = std::max(0.0, wanted - stage.area_before);
  const double slope = (stage.to_rate - stage.from_rate) / stage.duration_s;
  const double root = std::sqrt(std::max(0.0, stage.from_rate * stage.from_rate + 2 * slope * need));
  const double denominator = stage.from_rate + root;
  const double t = denominator > 0 ? std::min(stage.duration_s, 2 * need / denominator) : stage.duration_s;
  return (stage.start_s + t) * 1000.0;
}

std::optional<double> arrival_offset_ms(const scenario::Arrival& arrival, std::uint64_t index) {
  using Kind = scenario::Arrival::Kind;
  switch (arrival.kind) {
    case Kind::Constant: return static_cast<double>(index) * 1000.0 / arrival.rate_per_s;
    case Kind::List:
      if (index >= arrival.at_ms.size()) return std::nullopt;
      return static_cast<double>(arrival.at_ms[index]);
    case Kind::Ramp: return RampCurve(arrival).offset_ms(index);
    case Kind::Poisson: return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::uint64_t> planned_calls(const scenario::Calls& calls) {
  using Kind = scenario::Arrival::Kind;
  const auto& arrival = calls.arrival;
  std::optional<std::uint64_t> by_arrival;
  if (arrival.kind == Kind::List) {
    const double limit = calls.for_s ? *calls.for_s * 1000.0 : INFINITY;
    by_arrival = static_cast<std::uint64_t>(std::count_if(
        arrival.at_ms.begin(), arrival.at_ms.end(), [&](std::int64_t ms) { return static_cast<double>(ms) < limit; }));
  } else if (arrival.kind == Kind::Constant && calls.for_s) {
    // Calls at i / rate for every i with i / rate < for_s; the estimate is
    // settled with the same comparison the population makes.
    const double limit = *calls.for_s * 1000.0;
    auto n = static_cast<std::uint64_t>(std::ceil(*calls.for_s * arrival.rate_per_s));
    while (n > 0 && *arrival_offset_ms(arrival, n - 1) >= limit) --n;
    while (*arrival_offset_ms(arrival, n) < limit) ++n;
    by_arrival = n;
  } else if (arrival.kind == Kind::Ramp) {
    const RampCurve ramp(arrival);
    std::uint64_t n = ramp.capacity();
    if (calls.for_s) {
      // Offsets grow with the index: find the first one at or past for_s.
      std::uint64_t lo = 0, hi = n;
      while (lo < hi) {
        const std::uint64_t mid = lo + (hi - lo) / 2;
        if (*ramp.offset_ms(mid) < *calls.for_s * 1000.0)
          lo = mid + 1;
        else
          hi = mid;
      }
      n = lo;
    }
    by_arrival = n;
  }
  if (calls.count) {
    const auto count = static_cast<std::uint64_t>(*calls.count);
    return by_arrival ? std::min(count, *by_arrival) : count;
  }
  return by_arrival;
}

ArrivalSequence::ArrivalSequence(const scenario::Arrival& arrival, std::uint64_t seed)
    : m_arrival(&arrival), m_ramp(arrival), m_rng(seed) {
  compute();
}

void ArrivalSequence::seek(std::uint64_t index) {
  if (m_arrival->kind == scenario::Arrival::Kind::Poisson) {
    while (m_index < index) {
      ++m_index;
      *m_offset += m_rng.exponential(1000.0 / m_arrival->rate_per_s);
    }
    return;
  }
  m_index = index;
  compute();
}

void ArrivalSequence::compute() {
  using Kind = scenario::Arrival::Kind;
  switch (m_arrival->kind) {
    case Kind::Constant:
    case Kind::List: m_offset = arrival_offset_ms(*m_arrival, m_index); break;
    case Kind::Ramp: m_offset = m_ramp.offset_ms(m_index, &m_stage_hint); break;
    case Kind::Poisson:
      // Only reached for the first call: later ones come from seek()'s walk.
      m_offset = m_rng.exponential(1000.0 / m_arrival->rate_per_s);
      break;
  }
}

}  // namespace callhook::population
