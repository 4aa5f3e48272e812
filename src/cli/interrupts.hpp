#pragma once
// Stopping a run early. SIGINT and SIGTERM (and, through cancel(), anything
// else that wants the run to end, such as a control API) raise one stop flag
// that the engine reads between events (EngineOptions::stop):
//   first signal or cancel(): 1 = start nothing new, give requests in flight
//                             the grace period, then cancel the rest;
//   second signal:            2 = cancel the rest at once;
//   third signal:             the process exits at once (journal lines
//                             already written stay whole).
// The handler only stores into atomics, so it is safe wherever it runs.
#include <atomic>

namespace callhook::cli {

class Interrupts {
 public:
  // Installs the handlers and blocks both signals in this thread, so that
  // threads started from here on never receive them; call
  // receive_here() in the thread that runs the engine once they exist.
  Interrupts();
  // Restores the previous handlers and signal mask.
  ~Interrupts();
  Interrupts(const Interrupts&) = delete;
  Interrupts& operator=(const Interrupts&) = delete;

  // Unblocks the signals in the calling thread: a signal then also wakes
  // its blocking waits (epoll), so the engine reacts at once.
  void receive_here();
  // Asks for a stop as a first signal would (level 1), without a signal.
  void cancel();

  const std::atomic<int>* flag() const;
  bool stopped() const;
  // 128 + the first signal's number (130 SIGINT, 143 SIGTERM); 130 after cancel().
  int exit_code() const;
};

}  // namespace callhook::cli
