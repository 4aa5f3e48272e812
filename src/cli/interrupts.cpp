#include "cli/interrupts.hpp"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <stdexcept>

namespace callhook::cli {
namespace {

// Process-wide: a signal handler can reach nothing else.
std::atomic<int> g_stop{0};
std::atomic<int> g_first_signal{0};
std::atomic<bool> g_installed{false};
struct sigaction g_previous_int {};
struct sigaction g_previous_term {};
sigset_t g_previous_mask;

sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

extern "C" void on_stop_signal(int signal) {
  int expected = 0;
  g_first_signal.compare_exchange_strong(expected, signal);
  const int level = g_stop.load() + 1;
  if (level >= 3) _exit(128 + g_first_signal.load());
  g_stop.store(level);
}

}  // namespace

Interrupts::Interrupts() {
  if (g_installed.exchange(true)) throw std::logic_error("Interrupts: one at a time");
  g_stop = 0;
  g_first_signal = 0;
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;  // reads and writes go on; epoll waits still wake
  sigaction(SIGINT, &action, &g_previous_int);
  sigaction(SIGTERM, &action, &g_previous_term);
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_BLOCK, &set, &g_previous_mask);
}

Interrupts::~Interrupts() {
  pthread_sigmask(SIG_SETMASK, &g_previous_mask, nullptr);
  sigaction(SIGINT, &g_previous_int, nullptr);
  sigaction(SIGTERM, &g_previous_term, nullptr);
  g_installed = false;
}

void Interrupts::receive_here() {
  const sigset_t set = stop_signals();
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

void Interrupts::cancel() {
  int expected = 0;
  g_stop.compare_exchange_strong(expected, 1);
}

const std::atomic<int>* Interrupts::flag() const { return &g_stop; }

bool Interrupts::stopped() const { return g_stop.load() != 0; }

int Interrupts::exit_code() const {
  const int signal = g_first_signal.load();
  return 128 + (signal != 0 ? signal : SIGINT);
}

}  // namespace callhook::cli
