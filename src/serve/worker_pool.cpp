#include "serve/worker_pool.hpp"

namespace callhook::serve {

WorkerPool::WorkerPool(std::size_t threads, std::size_t max_queued)
    : m_max_queued(max_queued), m_state(std::make_shared<State>()) {
  for (std::size_t i = 0; i < threads; ++i) m_threads.emplace_back([state = m_state] { work(state); });
}

WorkerPool::~WorkerPool() { shutdown(std::chrono::seconds(2)); }

bool WorkerPool::try_submit(std::function<void()> task) {
  {
    std::lock_guard lock(m_state->mutex);
    if (m_state->stopping || m_state->queue.size() >= m_max_queued) return false;
    m_state->queue.push_back(std::move(task));
  }
  m_state->wake.notify_one();
  return true;
}

void WorkerPool::work(const std::shared_ptr<State>& state) {
  std::unique_lock lock(state->mutex);
  for (;;) {
    state->wake.wait(lock, [&] { return state->stopping || !state->queue.empty(); });
    if (state->stopping) return;
    auto task = std::move(state->queue.front());
    state->queue.pop_front();
    ++state->busy;
    lock.unlock();
    try {
      task();
    } catch (...) {  // a task answers its own errors; nothing may end the thread
    }
    task = nullptr;  // what it held goes before the pool counts it idle
    lock.lock();
    --state->busy;
    state->idle.notify_all();
  }
}

void WorkerPool::shutdown(std::chrono::milliseconds grace) {
  bool finished = false;
  {
    std::unique_lock lock(m_state->mutex);
    m_state->stopping = true;
    m_state->queue.clear();
    finished = m_state->idle.wait_for(lock, grace, [this] { return m_state->busy == 0; });
  }
  m_state->wake.notify_all();
  for (auto& thread : m_threads) {
    if (!thread.joinable()) continue;
    if (finished)
      thread.join();
    else
      thread.detach();
  }
  m_threads.clear();
}

}  // namespace callhook::serve
