#pragma once
// http:// and https:// on one non-blocking epoll loop. Each origin (scheme,
// host, port) keeps a pool of keep-alive connections; a request takes an
// idle one, opens a new one while the pool is below its limit, or waits in
// the origin's queue (no pipelining; HEAD is not supported). https is TLS
// layered on the same connection (tls_layer.hpp), so both schemes share one
// response parser, one pool and one set of deadlines.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <sys/socket.h>

#include "delivery/response_parser.hpp"
#include "delivery/tls_layer.hpp"
#include "delivery/transport.hpp"
#include "util/clock.hpp"
#include "util/ring_queue.hpp"

namespace callhook::delivery {

class HttpTransport final : public Transport {
 public:
  // `insecure` skips certificate and host name checks on https.
  HttpTransport(std::size_t connections_per_origin, bool insecure, const util::Clock& clock);
  ~HttpTransport() override;
  HttpTransport(const HttpTransport&) = delete;
  HttpTransport& operator=(const HttpTransport&) = delete;

  // Sends at once when a connection is free; never blocks except to resolve a new host.
  void submit(HttpRequest request) override;
  void poll(std::vector<HttpResult>& done, std::int64_t wait_us) override;
  std::size_t in_flight() const override { return m_in_flight; }

 private:
  struct Job {
    HttpRequest request;
    std::int64_t started_us = 0;  // submitted
    std::int64_t sent_us = 0;     // this try first written to a connection (0: not yet)
    bool retried = false;         // already moved once off a stale keep-alive connection
    std::size_t addresses_tried = 0;
    std::vector<LostTry> lost;
    util::Headers sent_headers;  // when the request asks for them
  };

  struct Address {
    sockaddr_storage storage{};
    socklen_t size = 0;
  };

  struct Origin {
    bool tls = false;
    std::string host;
    std::uint16_t port = 0;
    std::string host_header;    // the Host value: host, and the port when not the scheme's default
    std::string fixed_headers;  // Host and Connection lines, formatted once
    std::vector<Address> addresses;
    std::size_t preferred = 0;  // the address that last connected
    std::vector<std::uint32_t> idle;
    std::size_t open = 0;                     // connections open or opening
    util::RingQueue<Job> queue;               // reused slots: queueing a request allocates nothing
    std::unique_ptr<TlsSessionSlot> session;  // https: the session to resume (stable address for OpenSSL)
  };

  enum class ConnState { Free, Connecting, Handshaking, Idle, Busy };

  struct Connection {
    int fd = -1;
    SSL* tls = nullptr;            // https: the TLS layer on fd
    std::uint32_t generation = 0;  // tells stale epoll events from current ones
    std::uint32_t origin = 0;
    ConnState state = ConnState::Free;
    bool reused = false;                 // has already carried a complete response
    bool want_write = false;             // EPOLLOUT is registered
    bool write_blocked = false;          // the request waits for the socket to be writable
    bool write_wants_read = false;       // TLS: the write waits for readable
    bool read_wants_write = false;       // TLS: the read waits for writable
    bool handshake_wants_write = false;  // TLS: the handshake waits for writable
    bool write_failed = false;           // the peer stopped taking the request; an early answer may still come
    std::string write_error;
    std::size_t address = 0;  // index into the origin's addresses while connecting
    std::int64_t deadline_us = 0;
    Job job;
    std::string head;  // the request line and headers (and a small body over TLS), rebuilt in place
    bool body_in_head = false;
    std::size_t sent = 0;
    std::size_t total = 0;  // bytes of the request
    ResponseParser parser;
  };

  std::uint32_t origin_for(const util::Url& url, std::string& error);
  // Hands queued jobs to idle connections, opening new ones up to the limit.
  void pump(std::uint32_t origin);
  void open_connection(std::uint32_t origin, Job job, std::size_t address);
  void on_connected(std::uint32_t index);
  void on_connect_failed(std::uint32_t index, std::string why);
  void start_tls(std::uint32_t index);
  void continue_handshake(std::uint32_t index);
  void start_request(std::uint32_t index, Job job);
  void begin_send(std::uint32_t index);
  void build_head(Connection& conn, const Origin& origin);
  void send_some(std::uint32_t index);
  // The peer stopped taking the request: read what it answered, if anything.
  void on_write_failed(std::uint32_t index, std::string why);
  // Registers EPOLLOUT exactly while some step of the connection waits for it.
  void update_interest(std::uint32_t index);
  void on_event(std::uint32_t index, std::uint32_t events);
  // Reads at most a budget of bytes, so one flooding peer cannot hold the loop.
  void on_readable(std::uint32_t index);
  void on_eof(std::uint32_t index);
  // After a response over TLS: whether bytes the TLS layer holds go beyond it.
  bool tls_bytes_after(std::uint32_t index);
  void on_response_done(std::uint32_t index, bool leftover);
  // The connection broke mid-request: a stale keep-alive one is replaced
  // once (the try that reached the wire is reported), else the request fails.
  void on_lost(std::uint32_t index, std::string why);
  void close_connection(std::uint32_t index);
  void set_deadline(Connection& conn, std::int64_t deadline_us);
  void check_deadlines();
  // Connections whose TLS layer holds bytes epoll cannot report.
  void read_buffered();
  HttpResult& emit(Job& job);
  void fail(Job& job, ErrorKind kind, std::string why);
  void wait_events(std::int64_t wait_us);

  std::size_t m_max_per_origin;
  bool m_insecure;
  const util::Clock& m_clock;
  std::unique_ptr<TlsLayer> m_tls;  // made with the first https origin
  int m_epoll = -1;
  bool m_have_pwait2 = true;
  std::int64_t m_now = 0;  // clock time of the current batch of events
  std::size_t m_in_flight = 0;
  std::int64_t m_next_deadline = INT64_MAX;  // no connection expires before this
  std::vector<Origin> m_origins;
  std::vector<std::unique_ptr<Connection>> m_conns;
  std::vector<std::uint32_t> m_free_conns;
  std::vector<HttpResult> m_ready;
  std::vector<std::uint32_t> m_expired;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_buffered;  // (index, generation)
  std::vector<std::pair<std::uint32_t, std::uint32_t>> m_buffered_now;
  std::unique_ptr<char[]> m_read_buffer;
};

}  // namespace callhook::delivery
