#include "cli/listen.hpp"

#include <pthread.h>

#include "cli/cli.hpp"
#include "util/url.hpp"

namespace callhook::cli {

ListenAddress parse_listen(const std::string& text, const std::string& flag) {
  const std::string problem = flag + ": expected HOST:PORT with a port from 0 to 65535, got \"" + text + "\"";
  ListenAddress address;
  std::string port_text = text;
  if (text.find_first_not_of("0123456789") != std::string::npos) {
    const auto split = util::split_authority(text);
    if (!split) throw UsageError(problem);
    if (!split->host.empty()) address.host = split->host;
    port_text = split->port;
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
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
