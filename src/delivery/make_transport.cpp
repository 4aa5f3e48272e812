#include "delivery/make_transport.hpp"

#include "delivery/http_transport.hpp"
#include "delivery/tls_pool.hpp"

namespace callhook::delivery {
namespace {

// Routes by scheme; the TLS workers wake the http event loop, so one poll serves both.
class SchemeRouter final : public Transport {
 public:
  SchemeRouter(const TransportOptions& options, const util::Clock& clock)
      : m_clock(clock),
        m_http(options.connections_per_origin, clock),
        m_tls(options.connections_per_origin, options.insecure, clock) {
    m_http.attach(m_tls);
  }

  void submit(HttpRequest request) override {
    if (request.url.scheme == "https") {
      m_tls.submit(std::move(request), m_clock.now_us());
    } else {
      m_http.submit(std::move(request));
    }
  }
  void poll(std::vector<HttpResult>& done, std::int64_t wait_us) override { m_http.poll(done, wait_us); }
  std::size_t in_flight() const override { return m_http.in_flight() + m_tls.in_flight(); }

 private:
  const util::Clock& m_clock;
  HttpTransport m_http;
  TlsPool m_tls;  // destroyed first: its threads stop before the loop they wake goes away
};

}  // namespace

std::unique_ptr<Transport> make_transport(const TransportOptions& options, const util::Clock& clock) {
  return std::make_unique<SchemeRouter>(options, clock);
}

}  // namespace callhook::delivery
