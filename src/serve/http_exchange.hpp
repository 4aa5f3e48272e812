#pragma once
// One request in flight and the ways a route may answer it without holding
// a thread: at once, from a worker (offload), after a wait (a long poll) or
// as a stream. Everything but offload's work runs on the io thread that
// owns the connection; the connection (http_session) implements the writes.
#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "serve/http_message.hpp"
#include "serve/http_router.hpp"
#include "serve/request_checks.hpp"

namespace callhook::serve {

class WorkerPool;

// Which workers take an offloaded request: local work (runs, reports,
// deletes, explores) never queues behind requests that wait on another
// host (a trigger waits for its receiver up to its timeout).
enum class Lane { local, remote };

struct HttpLimits {
  std::size_t max_connections = 1024;                // more: 503 at once, then closed
  std::size_t max_body = 1 << 20;                    // request body bytes, chunked or not
  std::chrono::milliseconds header_timeout{10'000};  // the whole head, from its first byte
  std::chrono::milliseconds body_timeout{30'000};    // the whole body
  std::chrono::milliseconds idle_timeout{30'000};    // a kept-alive connection between requests
  std::chrono::milliseconds write_timeout{30'000};   // one write to a client that does not read
};

// What the server, its connections and the tasks on its workers share.
class ServerCore {
 public:
  HttpLimits limits;
  RequestRules rules;
  Router router;
  WorkerPool* pool = nullptr;         // Lane::local; set while the server runs
  WorkerPool* remote_pool = nullptr;  // Lane::remote; set while the server runs
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> connections{0};
  std::atomic<int> busy{0};  // requests read and not yet answered in full

  // Runs fn on the io thread; dropped once the io context is gone.
  void post(std::function<void()> fn);
  void attach(boost::asio::io_context* io);

 private:
  std::mutex m_mutex;
  boost::asio::io_context* m_io = nullptr;
};

// An offloaded answer held back after the work (a long poll on what the
// work started): a 2xx answer waits until done() holds or `until` passes,
// then refresh() makes the answer from it. No hold when done is empty.
struct Hold {
  std::chrono::steady_clock::time_point until{};
  std::function<bool()> done;
  std::function<ApiResponse(ApiResponse)> refresh;
};

class Exchange : public std::enable_shared_from_this<Exchange> {
 public:
  Exchange(std::shared_ptr<ServerCore> core, boost::asio::any_io_executor executor);
  virtual ~Exchange() = default;
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  // Answers the request in hand; later answers to it are dropped. io thread.
  void respond(ApiResponse response);
  // Runs `work` on a worker thread of `lane` and answers with what it returns;
  // 503 at once when its workers and their queue are full, or when the server stops first.
  void offload(std::function<ApiResponse()> work, Lane lane = Lane::local, const Hold& hold = {});
  // Answers with answer() once ready() holds, at `deadline`, or when the
  // server stops, whichever comes first; ready() is asked every 50 ms.
  void wait_until(std::chrono::steady_clock::time_point deadline, std::function<bool()> ready,
                  std::function<ApiResponse()> answer);

  struct Chunk {
    std::string text;   // sent as it is ("" sends nothing)
    bool last = false;  // the stream ends after it
  };
  // Answers with `head` (200, its content type and headers) and a chunked
  // body: next(stopping) every `interval` until it gives the last chunk.
  virtual void stream(ApiResponse head, std::chrono::milliseconds interval,
                      std::function<Chunk(bool stopping)> next) = 0;

  bool stopping() const { return m_core->stopping.load(); }

 protected:
  // Starts a new request on the connection: earlier waits end unanswered.
  void begin_request() {
    ++m_generation;
    m_answered = false;
  }
  bool answered() const { return m_answered; }
  void mark_answered() { m_answered = true; }
  virtual void write_response(ApiResponse response) = 0;

  std::shared_ptr<ServerCore> m_core;
  boost::asio::any_io_executor m_executor;

 private:
  struct Wait;
  void poll(const std::shared_ptr<Wait>& wait);
  // Looks at the current wait at once (a worker has finished).
  void wake();

  std::uint64_t m_generation = 0;
  bool m_answered = false;
  std::shared_ptr<Wait> m_wait;  // the wait in progress, if any
};

}  // namespace callhook::serve
