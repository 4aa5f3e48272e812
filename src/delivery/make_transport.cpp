#include "delivery/make_transport.hpp"

#include "delivery/http_transport.hpp"

namespace callhook::delivery {

std::unique_ptr<Transport> make_transport(const TransportOptions& options, const util::Clock& clock) {
  return std::make_unique<HttpTransport>(options.connections_per_origin, options.insecure, clock);
}

}  // namespace callhook::delivery
