#pragma once
// https:// through blocking cpp-httplib clients on worker threads: per
// origin up to `workers_per_origin` threads, each with its own keep-alive
// TLS connection. Results go back to the event loop through an eventfd.
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "delivery/http_transport.hpp"
#include "delivery/transport.hpp"
#include "util/clock.hpp"

namespace callhook::delivery {

class TlsPool final : public ResultSource {
 public:
  TlsPool(std::size_t workers_per_origin, bool insecure, const util::Clock& clock);
  ~TlsPool() override;
  TlsPool(const TlsPool&) = delete;
  TlsPool& operator=(const TlsPool&) = delete;

  // Queues an https request; started_us is its submit time.
  void submit(HttpRequest request, std::int64_t started_us);
  // Submitted and not yet drained.
  std::size_t in_flight() const { return m_in_flight; }

  int wake_fd() const override { return m_wake_fd; }
  void drain(std::vector<HttpResult>& done) override;

 private:
  struct Job {
    HttpRequest request;
    std::int64_t started_us = 0;
  };
  struct Origin;
  class Worker;

  void work(Origin& origin, Worker& worker);
  void deliver(HttpResult result);

  std::size_t m_workers_per_origin;
  bool m_insecure;
  const util::Clock& m_clock;
  int m_wake_fd = -1;
  std::size_t m_in_flight = 0;  // touched by the submitting thread only

  std::mutex m_mutex;  // guards the origins' queues, m_stopping and m_results
  std::condition_variable m_wakeup;
  bool m_stopping = false;
  std::vector<std::unique_ptr<Origin>> m_origins;
  std::vector<HttpResult> m_results;
};

}  // namespace callhook::delivery
