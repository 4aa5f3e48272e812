#pragma once
// The scheduler: admits calls as the virtual clock reaches them, turns them
// into deliveries through their vendor profile and the fault plan, sends each
// delivery at its due time through the Transport, retries by policy, feeds
// blocking answers back to their session, and accounts for every delivery.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>

#include "delivery/transport.hpp"
#include "engine/plan.hpp"
#include "report/run_stats.hpp"
#include "util/clock.hpp"

namespace callhook::journal {
class JournalWriter;
}

namespace callhook::engine {

struct EngineOptions {
  double speed = 0;               // virtual ms per wall ms; 0 = as fast as order allows
  std::int64_t concurrency = 64;  // requests in flight at once
  // Called a few times a second with the time since the start and the
  // requests in flight, for the progress line.
  std::function<void(double elapsed_s, std::size_t in_flight)> on_tick;
  // Interrupts (SIGINT, SIGTERM, a cancel over the control API) set *stop:
  // 1 = start no new attempt, let those in flight finish for up to grace_ms,
  // then end every delivery not yet final as cancelled; 2 = the same at once.
  // Read between events, so a signal handler may set it.
  const std::atomic<int>* stop = nullptr;
  // A second flag read as *stop is: set from inside the run (an expectation
  // with "abort" broken, run/abort_watch), apart from the signal's.
  const std::atomic<int>* abort = nullptr;
  // Called on the engine's thread after each batch of answers is accounted
  // in the stats, so a check of the counts sees every final at once.
  std::function<void()> on_results;
  std::int64_t grace_ms = 2000;
  // The whole run's wall time limit (run --max-duration), in microseconds
  // from start_us; none when negative. Reached, the run stops as at a first
  // stop request (grace, then cancelled) and the outcome says so.
  std::int64_t max_duration_us = -1;
  // The Clock time the run counts wall offsets from; the engines of one run
  // (run --threads) share it so their per-second series line up. Now when
  // negative.
  std::int64_t start_us = -1;
};

struct RunOutcome {
  std::int64_t calls = 0;
  std::int64_t legs = 0;             // call-back legs: call ids beyond each call's own
  std::int64_t virtual_span_ms = 0;  // from the epoch to the last due time (interrupted: to the stop)
  double wall_s = 0;
  std::int64_t started_us = 0;        // the Clock's time when run() began
  std::int64_t first_send_us = -1;    // wall time of the first request, since run() began
  bool interrupted = false;           // *stop was set, or max_duration_us passed, before the run ended
  bool max_duration_reached = false;  // it was max_duration_us that stopped the run
};

class Engine {
 public:
  Engine(const RunPlan& plan, delivery::Transport& transport, const util::Clock& clock, report::RunStats& stats,
         journal::JournalWriter* journal, EngineOptions options);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs to the end: every planned delivery delivered, failed, dropped or cancelled.
  RunOutcome run();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

}  // namespace callhook::engine
