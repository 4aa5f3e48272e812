#pragma once
#include <cstddef>
#include <memory>

#include "delivery/transport.hpp"
#include "util/clock.hpp"

namespace callhook::delivery {

struct TransportOptions {
  std::size_t connections_per_origin = 8;  // keep-alive connections kept per origin
  bool insecure = false;                   // skip TLS certificate checks
};

// The real transport: http:// and https:// on one epoll event loop (TLS is
// OpenSSL on the same non-blocking connections); keep-alive per origin,
// TCP_NODELAY on, certificates and host names checked unless `insecure`.
std::unique_ptr<Transport> make_transport(const TransportOptions& options, const util::Clock& clock);

}  // namespace callhook::delivery
