#include "run/live_metrics.hpp"

#include <algorithm>

#include "vendors/vendor.hpp"

namespace callhook::run {

LiveMetrics::LiveMetrics(const scenario::Scenario& scenario, std::size_t lanes)
    : m_lanes(std::max<std::size_t>(1, lanes)) {
  for (const auto& stream : scenario.streams) {
    if (std::find(m_vendors.begin(), m_vendors.end(), stream.vendor) == m_vendors.end())
      m_vendors.push_back(stream.vendor);
    if (const vendors::VendorInfo* info = vendors::find_vendor(stream.vendor))
      for (const auto& event : info->events) m_vendor_of.emplace(event, stream.vendor);
  }
}

LiveMetrics::Lane LiveMetrics::lane_of(const report::RunStats& stats, std::int64_t in_flight) const {
  Lane lane;
  for (const auto& event : stats.events()) {
    const auto vendor = m_vendor_of.find(event.name);
    lane.by_vendor[vendor == m_vendor_of.end() ? std::string("unknown") : vendor->second].add(event.counts);
  }
  lane.latency = stats.latency();
  lane.in_flight = in_flight;
  return lane;
}

void LiveMetrics::update(std::size_t lane, const report::RunStats& stats, std::int64_t in_flight) {
  Lane latest = lane_of(stats, in_flight);
  const std::lock_guard lock(m_mutex);
  m_lanes[lane] = std::move(latest);
}

void LiveMetrics::settle(const report::RunStats& stats) {
  Lane whole = lane_of(stats, 0);
  const std::lock_guard lock(m_mutex);
  m_lanes.resize(1);
  m_lanes[0] = std::move(whole);
}

report::MetricsSample LiveMetrics::sample() const {
  report::MetricsSample sample;
  for (const std::string& name : m_vendors) sample.vendors.push_back({name, {}});
  const std::lock_guard lock(m_mutex);
  for (const Lane& lane : m_lanes) {
    for (const auto& [name, counts] : lane.by_vendor) sample.add_counts(name, counts);
    sample.latency.merge(lane.latency);
    sample.in_flight += lane.in_flight;
  }
  return sample;
}

}  // namespace callhook::run
