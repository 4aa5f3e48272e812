#include "cli/listen.hpp"

#include <pthread.h>

#include "cli/cli.hpp"

namespace callhook::cli {

ListenAddress parse_listen(const std::string& text, const std::string& flag) {
  const std::string problem = flag + ": expected HOST:PORT with a port from 0 to 65535, got \"" + text + "\"";
  ListenAddress address;
  std::string port_text = text;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find("]:");
    if (close == std::string::npos) throw UsageError(problem);
    address.host = text.substr(1, close - 1);
    port_text = text.substr(close + 2);
  } else if (const auto colon = text.rfind(':'); colon != std::string::npos) {
    if (colon > 0) address.host = text.substr(0, colon);
    port_text = text.substr(colon + 1);
  }
  if (address.host.empty() || port_text.empty() || port_text.size() > 5 ||
      port_text.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(problem);
  address.port = std::stoi(port_text);
  if (address.port > 65535) throw UsageError(problem);
  return address;
}

ShutdownSignals::ShutdownSignals() {
  sigemptyset(&m_set);
  sigaddset(&m_set, SIGINT);
  sigaddset(&m_set, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &m_set, &m_previous);
}

ShutdownSignals::~ShutdownSignals() { pthread_sigmask(SIG_SETMASK, &m_previous, nullptr); }

int ShutdownSignals::wait() const {
  int signal = 0;
  while (sigwait(&m_set, &signal) != 0) {
  }
  return signal;
}

}  // namespace callhook::cli
