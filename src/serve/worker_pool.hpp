#pragma once
// A fixed number of threads for the work that may block (starting a run,
// sending a trigger, preparing an explore), with a bounded queue, so the
// thread that owns the sockets never waits and a flood of such requests is
// refused rather than queued without end.
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace callhook::serve {

class WorkerPool {
 public:
  WorkerPool(std::size_t threads, std::size_t max_queued);
  // shutdown() with a grace of two seconds.
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Queues `task`; false when max_queued tasks wait already or the pool stops.
  bool try_submit(std::function<void()> task);
  // Drops the tasks not started and waits up to `grace` for those running;
  // a thread still busy after it (a trigger waiting for its receiver) is
  // left to finish on its own: its task holds what it uses.
  void shutdown(std::chrono::milliseconds grace);

 private:
  struct State {
    std::mutex mutex;
    std::condition_variable wake, idle;
    std::deque<std::function<void()>> queue;
    std::size_t busy = 0;
    bool stopping = false;
  };
  static void work(const std::shared_ptr<State>& state);

  std::size_t m_max_queued;
  std::shared_ptr<State> m_state;
  std::vector<std::thread> m_threads;
};

}  // namespace callhook::serve
