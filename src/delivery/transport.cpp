#include "delivery/transport.hpp"

namespace callhook::delivery {

const char* error_name(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::None: return "none";
    case ErrorKind::Connect: return "connect";
    case ErrorKind::Timeout: return "timeout";
    case ErrorKind::Closed: return "closed";
    case ErrorKind::Tls: return "tls";
    case ErrorKind::Protocol: return "protocol";
  }
  return "unknown";
}

}  // namespace callhook::delivery
