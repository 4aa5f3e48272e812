#include "run/metrics_server.hpp"

#include <algorithm>

#include "vendors/vendor.hpp"

namespace callhook::run {

MetricsServer::MetricsServer(const scenario::Scenario& scenario, std::size_t lanes)
    : m_lanes(std::max<std::size_t>(1, lanes)) {
  for (const auto& stream : scenario.streams) {
    if (std::find(m_vendors.begin(), m_vendors.end(), stream.vendor) == m_vendors.end())
      m_vendors.push_back(stream.vendor);
    if (const vendors::VendorInfo* info = vendors::find_vendor(stream.vendor))
      for (const auto& event : info->events) m_vendor_of.emplace(event, stream.vendor);
  }
}

int MetricsServer::start(const std::string& host, int port) {
  return m_server.start(host, port, 2, [this](const sink::HttpRequest& request) {
    sink::HttpResponse response;
    if (request.path != "/metrics" || (request.method != "GET" && request.method != "HEAD")) {
      response.status = 404;
      response.content_type = "text/plain";
      response.body = "callhook serves GET /metrics here\n";
      return response;
    }
    response.content_type = "text/plain; version=0.0.4; charset=utf-8";
    response.body = text();
    return response;
  });
}

void MetricsServer::update(std::size_t lane, const report::RunStats& stats, std::int64_t in_flight) {
  Lane latest;
  for (const auto& event : stats.events()) {
    const auto vendor = m_vendor_of.find(event.name);
    latest.by_vendor[vendor == m_vendor_of.end() ? std::string("unknown") : vendor->second].add(event.counts);
  }
  latest.latency = stats.latency();
  latest.in_flight = in_flight;
  const std::lock_guard lock(m_mutex);
  m_lanes[lane] = std::move(latest);
}

std::string MetricsServer::text() const {
  report::MetricsSample sample;
  {
    const std::lock_guard lock(m_mutex);
    for (const std::string& name : m_vendors) sample.vendors.push_back({name, {}});
    for (const Lane& lane : m_lanes) {
      for (const auto& [name, counts] : lane.by_vendor) {
        auto it = std::find_if(sample.vendors.begin(), sample.vendors.end(),
                               [&name = name](const auto& v) { return v.name == name; });
        if (it == sample.vendors.end()) it = sample.vendors.insert(sample.vendors.end(), {name, {}});
        it->counts.add(counts);
      }
      sample.latency.merge(lane.latency);
      sample.in_flight += lane.in_flight;
    }
  }
  return report::prometheus_text(sample);
}

}  // namespace callhook::run
