#pragma once
// What the long-running commands (sink, serve) share: a listening address
// (--listen, run --recordings-listen) and waiting for SIGINT or SIGTERM.
#include <signal.h>

#include <string>

#include "util/url.hpp"

namespace callhook::cli {

using ListenAddress = util::ListenAddress;

// "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT" (host 127.0.0.1); throws
// UsageError naming `flag` when malformed.
ListenAddress parse_listen(const std::string& text, const std::string& flag = "--listen");

// Blocks SIGINT and SIGTERM in this thread and in the threads it starts, so
// that sigwait() receives them instead of a handler that may run anywhere.
class ShutdownSignals {
 public:
  ShutdownSignals();
  ~ShutdownSignals();
  ShutdownSignals(const ShutdownSignals&) = delete;
  ShutdownSignals& operator=(const ShutdownSignals&) = delete;

  // Returns the signal once one arrives.
  int wait() const;

 private:
  sigset_t m_set{};
  sigset_t m_previous{};
};

}  // namespace callhook::cli
