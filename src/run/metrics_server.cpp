#include "run/metrics_server.hpp"

namespace callhook::run {

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

std::string MetricsServer::text() const { return report::prometheus_text(m_metrics->sample()); }

}  // namespace callhook::run
