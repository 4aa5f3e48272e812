#include "cli/listen.hpp"

#include <pthread.h>

#include "cli/cli.hpp"
#include "util/url.hpp"

namespace callhook::cli {

ListenAddress parse_listen(const std::string& text, const std::string& flag) {
  const auto address = util::parse_listen_address(text);
  if (!address) throw UsageError(flag + ": expected HOST:PORT with a port from 0 to 65535, got \"" + text + "\"");
  return *address;
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
