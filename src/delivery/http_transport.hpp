#pragma once
// Plain http:// on one non-blocking epoll loop. Each origin keeps a pool of
// keep-alive connections; a request takes an idle one, opens a new one while
// the pool is below its limit, or waits in the origin's queue (no
// pipelining; HEAD is not supported). Other result producers (the TLS
// workers) wake the same loop through a file descriptor, so poll() serves
// every scheme.
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include <sys/socket.h>

#include "delivery/response_parser.hpp"
#include "delivery/transport.hpp"
#include "util/clock.hpp"

namespace callhook::delivery {

// Results made outside the event loop; wake_fd() turns readable when some wait.
class ResultSource {
 public:
  virtual ~ResultSource() = default;
  // A file descriptor that is readable while results wait.
  virtual int wake_fd() const = 0;
  // Moves the waiting results to `done` and clears the wake-up.
  virtual void drain(std::vector<HttpResult>& done) = 0;
};

class HttpTransport final : public Transport {
 public:
  HttpTransport(std::size_t connections_per_origin, const util::Clock& clock);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends at once when a connection is free; never blocks except to resolve a new host.
  void submit(HttpRequest request) override;
  void poll(std::vector<HttpResult>& done, std::int64_t wait_us) override;
  std::size_t in_flight() const override { return m_in_flight; }
  // Lets poll() wake up for and collect `source`'s results (it must outlive this).
  void attach(ResultSource& source);

 private:
  struct Job {
    HttpRequest request;
    std::int64_t started_us = 0;  // submitted
    std::int64_t sent_us = 0;     // first written to a connection (0: not yet)
    bool retried = false;  // already moved once off a stale keep-alive connection
    std::size_t addresses_tried = 0;
  };

  struct Address {
    sockaddr_storage storage{};
    socklen_t size = 0;
  };

  struct Origin {
    std::string host;
    std::uint16_t port = 0;
    std::string fixed_headers;  // Host and Connection lines, formatted once
    std::vector<Address> addresses;
    std::size_t preferred = 0;  // the address that last connected
    std::vector<std::uint32_t> idle;
    std::size_t open = 0;  // connections open or opening
    std::deque<Job> queue;
  };

  enum class ConnState { Free, Connecting, Idle, Busy };

  struct Connection {
    int fd = -1;
    std::uint32_t generation = 0;  // tells stale epoll events from current ones
    std::uint32_t origin = 0;
    ConnState state = ConnState::Free;
    bool reused = false;      // has already carried a complete response
    bool want_write = false;  // EPOLLOUT is registered
    std::size_t address = 0;  // index into the origin's addresses while connecting
    std::int64_t deadline_us = 0;
    Job job;
    std::string head;  // the request line and headers, rebuilt in place
    std::size_t sent = 0;
    ResponseParser parser;
  };

  std::uint32_t origin_for(const util::Url& url, std::string& error);
  // Hands queued jobs to idle connections, opening new ones up to the limit.
  void pump(std::uint32_t origin);
  void open_connection(std::uint32_t origin, Job job, std::size_t address);
  void on_connected(std::uint32_t index);
  void on_connect_failed(std::uint32_t index, std::string why);
  void start_request(std::uint32_t index, Job job);
  void begin_send(std::uint32_t index);
  void build_head(Connection& conn, const Origin& origin);
  void send_some(std::uint32_t index);
  void set_want_write(std::uint32_t index, bool want);
  void on_event(std::uint32_t index, std::uint32_t events);
  void on_readable(std::uint32_t index);
  void on_response_done(std::uint32_t index, bool leftover);
  // The connection broke mid-request: retry a stale keep-alive once, else fail.
  void on_lost(std::uint32_t index, std::string why);
  void close_connection(std::uint32_t index);
  void set_deadline(Connection& conn, std::int64_t deadline_us);
  void check_deadlines();
  HttpResult& emit(const Job& job);
  void fail(const Job& job, ErrorKind kind, std::string why);
  void wait_events(std::int64_t wait_us);

  std::size_t m_max_per_origin;
  const util::Clock& m_clock;
  int m_epoll = -1;
  bool m_have_pwait2 = true;
  std::int64_t m_now = 0;  // clock time of the current batch of events
  std::size_t m_in_flight = 0;
  std::size_t m_foreign_ready = 0;  // results in m_ready that came from sources
  std::int64_t m_next_deadline = INT64_MAX;  // no connection expires before this
  std::vector<Origin> m_origins;
  std::vector<std::unique_ptr<Connection>> m_conns;
  std::vector<std::uint32_t> m_free_conns;
  std::vector<HttpResult> m_ready;
  std::vector<ResultSource*> m_sources;
  std::vector<std::uint32_t> m_expired;
  std::unique_ptr<char[]> m_read_buffer;
};

}  // namespace callhook::delivery
