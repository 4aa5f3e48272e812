// How a connection lives. It is Connecting (non-blocking connect, its job
// waiting), Handshaking (https: TLS on the connected socket), Busy (a
// request written, maybe partly, and its response being parsed), Idle (in
// its origin's pool, still watched for EPOLLIN so a close by the server is
// noticed) or Free (a slot for reuse). Each slot carries a generation in its
// epoll key, so an event for a socket closed earlier in the same batch never
// reaches the slot's next socket.
//
// Work moves forward through pump(): after any event, queued jobs of the
// origin go to idle connections or to new ones up to the limit. Handlers
// never call pump() themselves, so a burst of synchronous failures (refused
// connects) drains the queue in a loop rather than by recursion.
//
// Every deadline fires because no handler runs long: a readable connection
// gets at most k_read_budget bytes per event, then the loop moves on (epoll
// is level-triggered, so the rest waits for the next round; bytes the TLS
// layer already holds are kept in m_buffered, since epoll cannot see them).
// Deadlines are not kept in a heap: m_next_deadline is a lower bound on
// every live deadline, and connections are scanned only once time passes
// it, which under a steady load happens about once per timeout period.
//
// One try, one report: a request that reached the wire on a reused
// keep-alive connection which then closed without a byte is sent once more
// on a fresh connection, and the lost try travels with the result.
#include "delivery/http_transport.hpp"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "util/text.hpp"

namespace callhook::delivery {
namespace {

constexpr std::uint32_t k_no_origin = UINT32_MAX;
constexpr std::size_t k_read_buffer = 64 * 1024;
constexpr std::size_t k_read_budget = 256 * 1024;    // per connection and readiness event
constexpr std::size_t k_tls_merge_body = 16 * 1024;  // smaller bodies go out in one TLS record with the head
constexpr int k_max_events = 256;

std::uint64_t epoll_key(std::uint32_t generation, std::uint32_t index) {
  return (static_cast<std::uint64_t>(generation) << 32) | index;
}

// Headers the transport writes itself; a caller's copy would duplicate them.
bool is_transport_header(const std::string& name) {
  return util::iequals(name, "host") || util::iequals(name, "connection") || util::iequals(name, "content-length") ||
         util::iequals(name, "transfer-encoding");
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

std::string errno_text(const char* what, int error) { return std::string(what) + ": " + std::strerror(error); }

// One read of a plain socket, as TlsLayer::read reports one of a TLS connection.
IoStatus read_plain(int fd, char* buffer, std::size_t capacity, std::size_t& size, std::string& error) {
  while (true) {
    const ssize_t got = ::read(fd, buffer, capacity);
    if (got > 0) {
      size = static_cast<std::size_t>(got);
      return IoStatus::Ok;
    }
    if (got == 0) return IoStatus::Eof;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStatus::WantRead;
    error = errno_text("read", errno);
    return IoStatus::Failed;
  }
}

}  // namespace

HttpTransport::HttpTransport(std::size_t connections_per_origin, bool insecure, const util::Clock& clock)
    : m_max_per_origin(std::max<std::size_t>(1, connections_per_origin)),
      m_insecure(insecure),
      m_clock(clock),
      m_read_buffer(new char[k_read_buffer]) {
  m_epoll = epoll_create1(EPOLL_CLOEXEC);
  if (m_epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

HttpTransport::~HttpTransport() {
  for (const auto& conn : m_conns) {
    if (conn->tls) TlsLayer::close(conn->tls);
    if (conn->fd >= 0) ::close(conn->fd);
  }
  ::close(m_epoll);
}

void HttpTransport::submit(HttpRequest request) {
  ++m_in_flight;
  m_now = m_clock.now_us();
  Job job;
  job.request = std::move(request);
  job.started_us = m_now;
  std::string error;
  const std::uint32_t origin = origin_for(job.request.url, error);
  if (origin == k_no_origin) {
    fail(job, ErrorKind::Connect, std::move(error));
    return;
  }
  m_now = m_clock.now_us();  // a first request to an origin waited for its name (and TLS setup)
  Origin& target = m_origins[origin];
  if (target.queue.empty() && !target.idle.empty()) {
    // The common case under load skips the queue.
    const std::uint32_t index = target.idle.back();
    target.idle.pop_back();
    start_request(index, std::move(job));
    return;
  }
  target.queue.push_back(std::move(job));
  pump(origin);
}

std::uint32_t HttpTransport::origin_for(const util::Url& url, std::string& error) {
  const bool tls = url.scheme == "https";
  auto same = [&](const Origin& origin) {
    return origin.tls == tls && origin.port == url.port && origin.host == url.host;
  };
  for (std::size_t i = 0; i < m_origins.size(); ++i) {
    if (same(m_origins[i])) {
      if (!m_origins[i].addresses.empty()) return static_cast<std::uint32_t>(i);
      break;  // resolving failed last time: try again
    }
  }
  if (tls && !m_tls) {
    try {
      m_tls = std::make_unique<TlsLayer>(m_insecure);
    } catch (const std::exception& e) {
      error = e.what();
      return k_no_origin;
    }
  }
  // Resolve once per origin; blocking here is acceptable, it happens once.
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  const int rc = getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0 || !found) {
    error = "resolve " + url.host + ": " + gai_strerror(rc);
    return k_no_origin;
  }
  std::vector<Address> addresses;
  for (addrinfo* ai = found; ai; ai = ai->ai_next) {
    if (ai->ai_addrlen > sizeof(sockaddr_storage)) continue;
    Address address;
    std::memcpy(&address.storage, ai->ai_addr, ai->ai_addrlen);
    address.size = ai->ai_addrlen;
    addresses.push_back(address);
  }
  freeaddrinfo(found);
  if (addresses.empty()) {
    error = "resolve " + url.host + ": no usable address";
    return k_no_origin;
  }

  for (std::size_t i = 0; i < m_origins.size(); ++i) {
    if (same(m_origins[i])) {
      m_origins[i].addresses = std::move(addresses);
      return static_cast<std::uint32_t>(i);
    }
  }
  Origin& origin = m_origins.emplace_back();
  origin.tls = tls;
  origin.host = url.host;
  origin.port = url.port;
  const bool v6 = url.host.find(':') != std::string::npos;
  origin.host_header = v6 ? "[" + url.host + "]" : url.host;
  if (url.port != (tls ? 443 : 80)) {
    origin.host_header += ':';
    append_number(origin.host_header, url.port);
  }
  origin.fixed_headers = "Host: " + origin.host_header + "\r\nConnection: keep-alive\r\n";
  origin.addresses = std::move(addresses);
  if (tls) origin.session = std::make_unique<TlsSessionSlot>();
  return static_cast<std::uint32_t>(m_origins.size() - 1);
}

void HttpTransport::pump(std::uint32_t origin_index) {
  Origin& origin = m_origins[origin_index];
  while (!origin.queue.empty()) {
    if (!origin.idle.empty()) {
      const std::uint32_t index = origin.idle.back();
      origin.idle.pop_back();
      Job job = std::move(origin.queue.front());
      origin.queue.pop_front();
      start_request(index, std::move(job));
    } else if (origin.open < m_max_per_origin) {
      Job job = std::move(origin.queue.front());
      origin.queue.pop_front();
      open_connection(origin_index, std::move(job), origin.preferred);
    } else {
      break;
    }
  }
}

void HttpTransport::open_connection(std::uint32_t origin_index, Job job, std::size_t address_index) {
  Origin& origin = m_origins[origin_index];
  const Address& address = origin.addresses[address_index];
  const int fd = ::socket(address.storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    fail(job, ErrorKind::Connect, errno_text("socket", errno));
    return;
  }
  const int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);

  std::uint32_t index = 0;
  if (!m_free_conns.empty()) {
    index = m_free_conns.back();
    m_free_conns.pop_back();
  } else {
    index = static_cast<std::uint32_t>(m_conns.size());
    m_conns.push_back(std::make_unique<Connection>());
  }
  Connection& conn = *m_conns[index];
  conn.fd = fd;
  ++conn.generation;
  conn.origin = origin_index;
  conn.state = ConnState::Connecting;
  conn.reused = false;
  conn.want_write = true;
  conn.write_blocked = false;
  conn.write_wants_read = false;
  conn.read_wants_write = false;
  conn.handshake_wants_write = false;
  conn.address = address_index;
  conn.job = std::move(job);
  ++origin.open;
  // Connect and TLS handshake together.
  set_deadline(conn, m_now + conn.job.request.connect_timeout_ms * 1000);

  epoll_event event{};
  event.events = EPOLLIN | EPOLLOUT;
  event.data.u64 = epoll_key(conn.generation, index);
  if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, fd, &event) < 0) {
    const int error = errno;
    Job failed = std::move(conn.job);
    close_connection(index);
    fail(failed, ErrorKind::Connect, errno_text("epoll_ctl", error));
    return;
  }
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address.storage), address.size) == 0) {
    on_connected(index);
  } else if (errno != EINPROGRESS) {
    on_connect_failed(index, std::strerror(errno));  // the kind already says "connect"
  }
}

void HttpTransport::on_connected(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &error, &size) < 0) error = errno;
  if (error != 0) {
    on_connect_failed(index, std::strerror(error));
    return;
  }
  m_origins[conn.origin].preferred = conn.address;
  if (m_origins[conn.origin].tls) {
    start_tls(index);
  } else {
    begin_send(index);
  }
}

void HttpTransport::on_connect_failed(std::uint32_t index, std::string why) {
  Connection& conn = *m_conns[index];
  const std::uint32_t origin = conn.origin;
  const std::size_t count = m_origins[origin].addresses.size();
  const std::size_t next = (conn.address + 1) % count;
  Job job = std::move(conn.job);
  close_connection(index);
  // A name may resolve to several addresses (::1 and 127.0.0.1): try each once.
  if (++job.addresses_tried < count) {
    open_connection(origin, std::move(job), next);
  } else {
    fail(job, ErrorKind::Connect, std::move(why));
  }
}

void HttpTransport::start_tls(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  Origin& origin = m_origins[conn.origin];
  std::string error;
  conn.tls = m_tls->open(conn.fd, origin.host, *origin.session, error);
  if (!conn.tls) {
    Job job = std::move(conn.job);
    close_connection(index);
    fail(job, ErrorKind::Tls, std::move(error));
    return;
  }
  conn.state = ConnState::Handshaking;
  continue_handshake(index);
}

void HttpTransport::continue_handshake(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  std::string error;
  const IoStatus status = TlsLayer::handshake(conn.tls, error);
  switch (status) {
    case IoStatus::Ok:
      conn.handshake_wants_write = false;
      begin_send(index);
      return;
    case IoStatus::WantRead:
    case IoStatus::WantWrite:
      conn.handshake_wants_write = status == IoStatus::WantWrite;
      update_interest(index);
      return;
    default: {
      Job job = std::move(conn.job);
      close_connection(index);
      fail(job, status == IoStatus::Failed ? ErrorKind::Connect : ErrorKind::Tls, std::move(error));
      return;
    }
  }
}

void HttpTransport::start_request(std::uint32_t index, Job job) {
  m_conns[index]->job = std::move(job);
  begin_send(index);
}

void HttpTransport::begin_send(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  build_head(conn, m_origins[conn.origin]);
  conn.sent = 0;
  conn.write_blocked = false;
  conn.write_wants_read = false;
  conn.write_failed = false;
  conn.parser.reset();
  conn.state = ConnState::Busy;
  conn.job.sent_us = m_now;
  set_deadline(conn, m_now + conn.job.request.timeout_ms * 1000);
  send_some(index);
}

void HttpTransport::build_head(Connection& conn, const Origin& origin) {
  HttpRequest& request = conn.job.request;
  util::Headers* record = request.record_headers ? &conn.job.sent_headers : nullptr;
  std::string& head = conn.head;
  head.clear();
  head += request.method;
  head += ' ';
  head += request.url.target.empty() ? std::string_view("/") : std::string_view(request.url.target);
  head += " HTTP/1.1\r\n";
  head += origin.fixed_headers;
  if (record) {
    record->clear();
    record->reserve(request.headers.size() + 3);  // Host, Connection, Content-Length: one allocation
    record->push_back({"Host", origin.host_header});
    record->push_back({"Connection", "keep-alive"});
  }
  for (const auto& header : request.headers) {
    if (is_transport_header(header.name)) continue;
    head += header.name;
    head += ": ";
    head += header.value;
    head += "\r\n";
    if (record) record->push_back(header);
  }
  if (!request.body.empty() || request.method != "GET") {
    head += "Content-Length: ";
    append_number(head, request.body.size());
    head += "\r\n";
    if (record) record->push_back({"Content-Length", std::to_string(request.body.size())});
  }
  head += "\r\n";
  // Over TLS every write is a record: a small body rides in the head's.
  conn.body_in_head = conn.tls && request.body.size() <= k_tls_merge_body;
  if (conn.body_in_head) head += request.body;
  conn.total = head.size() + (conn.body_in_head ? 0 : request.body.size());
}

void HttpTransport::send_some(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  const std::string& head = conn.head;
  const std::string& body = conn.job.request.body;
  conn.write_blocked = false;
  conn.write_wants_read = false;
  if (conn.tls) {
    while (conn.sent < conn.total) {
      const bool in_head = conn.sent < head.size();
      const char* data = in_head ? head.data() + conn.sent : body.data() + (conn.sent - head.size());
      const std::size_t size = in_head ? head.size() - conn.sent : conn.total - conn.sent;
      std::size_t wrote = 0;
      std::string error;
      const IoStatus status = TlsLayer::write(conn.tls, data, size, wrote, error);
      if (status == IoStatus::Ok) {
        conn.sent += wrote;
      } else if (status == IoStatus::WantWrite || status == IoStatus::WantRead) {
        conn.write_blocked = status == IoStatus::WantWrite;
        conn.write_wants_read = status == IoStatus::WantRead;
        break;
      } else {
        on_write_failed(index, std::move(error));
        return;
      }
    }
    update_interest(index);
    return;
  }
  if (conn.sent >= conn.total) return;
  iovec parts[2];
  int count = 0;
  if (conn.sent < head.size()) {
    parts[count++] = {const_cast<char*>(head.data()) + conn.sent, head.size() - conn.sent};
    if (!body.empty()) parts[count++] = {const_cast<char*>(body.data()), body.size()};
  } else {
    const std::size_t offset = conn.sent - head.size();
    parts[count++] = {const_cast<char*>(body.data()) + offset, body.size() - offset};
  }
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = static_cast<std::size_t>(count);
  const ssize_t written = ::sendmsg(conn.fd, &message, MSG_NOSIGNAL);
  if (written < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
      conn.write_blocked = true;
      update_interest(index);
    } else {
      on_write_failed(index, errno_text("send", errno));
    }
    return;
  }
  conn.sent += static_cast<std::size_t>(written);
  conn.write_blocked = conn.sent < conn.total;
  update_interest(index);
}

void HttpTransport::on_write_failed(std::uint32_t index, std::string why) {
  Connection& conn = *m_conns[index];
  // A server may answer early (413, 401) and close before reading the whole
  // body: its answer can still be waiting in the socket, so look before failing.
  conn.write_failed = true;
  conn.write_blocked = false;
  conn.write_wants_read = false;
  conn.write_error = std::move(why);
  update_interest(index);
  on_readable(index);
}

void HttpTransport::update_interest(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  bool want = false;
  switch (conn.state) {
    case ConnState::Connecting: want = true; break;
    case ConnState::Handshaking: want = conn.handshake_wants_write; break;
    case ConnState::Busy: want = (conn.write_blocked && !conn.write_failed) || conn.read_wants_write; break;
    case ConnState::Idle: want = conn.read_wants_write; break;
    case ConnState::Free: return;
  }
  if (conn.want_write == want) return;
  epoll_event event{};
  event.events = want ? (EPOLLIN | EPOLLOUT) : EPOLLIN;
  event.data.u64 = epoll_key(conn.generation, index);
  epoll_ctl(m_epoll, EPOLL_CTL_MOD, conn.fd, &event);
  conn.want_write = want;
}

void HttpTransport::on_event(std::uint32_t index, std::uint32_t events) {
  Connection& conn = *m_conns[index];
  const std::uint32_t origin = conn.origin;
  const std::uint32_t generation = conn.generation;
  const bool error = (events & (EPOLLERR | EPOLLHUP)) != 0;
  if (conn.state == ConnState::Connecting) {
    if ((events & EPOLLOUT) || error) on_connected(index);
  } else if (conn.state == ConnState::Handshaking) {
    continue_handshake(index);
  } else {
    if ((events & EPOLLIN) || error || (conn.read_wants_write && (events & EPOLLOUT))) on_readable(index);
    const bool current = conn.generation == generation && conn.state == ConnState::Busy;
    if (current && !conn.write_failed && conn.sent < conn.total &&
        ((events & EPOLLOUT) || error || (conn.write_wants_read && (events & EPOLLIN)))) {
      send_some(index);
    }
  }
  pump(origin);
}

void HttpTransport::on_readable(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  char* buffer = m_read_buffer.get();
  std::size_t budget = k_read_budget;
  while (true) {
    std::size_t size = 0;
    std::string error;
    const IoStatus status = conn.tls ? TlsLayer::read(conn.tls, buffer, k_read_buffer, size, error)
                                     : read_plain(conn.fd, buffer, k_read_buffer, size, error);
    const bool wanted_write = conn.read_wants_write;
    conn.read_wants_write = status == IoStatus::WantWrite;
    switch (status) {
      case IoStatus::Ok: {
        if (conn.state != ConnState::Busy) {
          // Bytes nobody asked for on an idle connection: it cannot be trusted.
          close_connection(index);
          return;
        }
        const std::size_t used = conn.parser.feed(buffer, size);
        if (conn.parser.failed()) {
          Job job = std::move(conn.job);
          const std::string why = "bad response: " + conn.parser.error();
          close_connection(index);
          fail(job, ErrorKind::Protocol, why);
          return;
        }
        if (conn.parser.complete()) {
          on_response_done(index, used < size || tls_bytes_after(index));
          return;
        }
        // Plain: a short read leaves the socket empty; TLS: nothing held back means the same.
        if (conn.tls ? !TlsLayer::has_buffered(conn.tls) : size < k_read_buffer) return;
        budget -= std::min(budget, size);
        if (budget == 0) {
          // The rest waits for the next round; epoll reports the socket again,
          // but not bytes the TLS layer holds.
          if (conn.tls) m_buffered.emplace_back(index, conn.generation);
          return;
        }
        break;
      }
      case IoStatus::WantRead:
      case IoStatus::WantWrite:
        if (wanted_write != conn.read_wants_write) update_interest(index);
        return;
      case IoStatus::Eof: on_eof(index); return;
      case IoStatus::Failed:
        if (conn.state != ConnState::Busy) {
          close_connection(index);
        } else {
          on_lost(index, std::move(error));
        }
        return;
      case IoStatus::TlsFailed:
        if (conn.state != ConnState::Busy) {
          close_connection(index);
        } else {
          Job job = std::move(conn.job);
          close_connection(index);
          fail(job, ErrorKind::Tls, std::move(error));
        }
        return;
    }
  }
}

bool HttpTransport::tls_bytes_after(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  if (!conn.tls || !TlsLayer::has_buffered(conn.tls)) return false;
  // Held records may be only a session ticket or a close; any application
  // byte, or the close itself, means the connection is not reused.
  std::size_t size = 0;
  std::string error;
  const IoStatus status = TlsLayer::read(conn.tls, m_read_buffer.get(), k_read_buffer, size, error);
  return status != IoStatus::WantRead;
}

void HttpTransport::on_eof(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  if (conn.state != ConnState::Busy) {
    close_connection(index);
    return;
  }
  if (!conn.parser.started()) {
    on_lost(index, conn.write_failed ? conn.write_error : "connection closed before any response byte");
    return;
  }
  conn.parser.finish_at_eof();
  if (conn.parser.complete()) {
    on_response_done(index, false);
  } else if (conn.parser.cut_short()) {
    on_lost(index, conn.parser.error());
  } else {
    Job job = std::move(conn.job);
    const std::string why = "bad response: " + conn.parser.error();
    close_connection(index);
    fail(job, ErrorKind::Protocol, why);
  }
}

void HttpTransport::on_response_done(std::uint32_t index, bool leftover) {
  Connection& conn = *m_conns[index];
  HttpResult& result = emit(conn.job);
  result.status = conn.parser.status();
  if (!conn.parser.retry_after().empty()) result.retry_after = conn.parser.retry_after();
  if (!conn.parser.body().empty()) result.body = std::move(conn.parser.body());
  // Bytes after the response, a request not fully sent or a framing the
  // parser distrusts leave the connection in an unknown state: close it.
  if (!conn.parser.keep_alive() || leftover || conn.sent != conn.total || conn.write_failed) {
    close_connection(index);
    return;
  }
  conn.state = ConnState::Idle;
  conn.reused = true;
  update_interest(index);
  m_origins[conn.origin].idle.push_back(index);
}

void HttpTransport::on_lost(std::uint32_t index, std::string why) {
  Connection& conn = *m_conns[index];
  const std::uint32_t origin = conn.origin;
  // A keep-alive connection the server closed while idle fails before any
  // response byte; that is the pool's fault, not the attempt's: send once
  // more on a fresh connection, reporting the try if any of it went out.
  const bool stale = conn.reused && !conn.parser.started() && !conn.job.retried;
  const bool reached_wire = conn.sent > 0;
  Job job = std::move(conn.job);
  close_connection(index);
  if (!stale) {
    fail(job, ErrorKind::Closed, std::move(why));
    return;
  }
  if (reached_wire) job.lost.push_back({job.sent_us, m_now - job.sent_us, ErrorKind::Closed, std::move(why)});
  job.retried = true;
  job.addresses_tried = 0;
  job.sent_us = 0;
  open_connection(origin, std::move(job), m_origins[origin].preferred);
}

void HttpTransport::close_connection(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  if (conn.fd < 0) return;
  Origin& origin = m_origins[conn.origin];
  if (conn.state == ConnState::Idle) {
    origin.idle.erase(std::remove(origin.idle.begin(), origin.idle.end(), index), origin.idle.end());
  }
  if (conn.tls) {
    TlsLayer::close(conn.tls);
    conn.tls = nullptr;
  }
  ::close(conn.fd);  // also leaves the epoll set
  conn.fd = -1;
  conn.state = ConnState::Free;
  conn.want_write = false;
  --origin.open;
  m_free_conns.push_back(index);
}

void HttpTransport::set_deadline(Connection& conn, std::int64_t deadline_us) {
  conn.deadline_us = deadline_us;
  m_next_deadline = std::min(m_next_deadline, deadline_us);
}

void HttpTransport::check_deadlines() {
  if (m_now < m_next_deadline) return;
  m_next_deadline = INT64_MAX;
  m_expired.clear();
  for (std::uint32_t i = 0; i < m_conns.size(); ++i) {
    const Connection& conn = *m_conns[i];
    if (conn.state == ConnState::Free || conn.state == ConnState::Idle) continue;
    if (conn.deadline_us <= m_now) {
      m_expired.push_back(i);
    } else {
      m_next_deadline = std::min(m_next_deadline, conn.deadline_us);
    }
  }
  for (const std::uint32_t index : m_expired) {
    Connection& conn = *m_conns[index];
    const std::uint32_t origin = conn.origin;
    const bool connecting = conn.state != ConnState::Busy;
    std::string why = conn.state == ConnState::Connecting ? "connect timed out after "
                      : connecting                        ? "TLS handshake timed out after "
                                                          : "no complete response within ";
    why += std::to_string(connecting ? conn.job.request.connect_timeout_ms : conn.job.request.timeout_ms);
    why += " ms";
    Job job = std::move(conn.job);
    close_connection(index);
    fail(job, connecting ? ErrorKind::Connect : ErrorKind::Timeout, std::move(why));
    pump(origin);
  }
}

void HttpTransport::read_buffered() {
  m_buffered_now.clear();
  m_buffered_now.swap(m_buffered);
  for (const auto& [index, generation] : m_buffered_now) {
    const Connection& conn = *m_conns[index];
    if (conn.generation != generation || (conn.state != ConnState::Busy && conn.state != ConnState::Idle)) continue;
    const std::uint32_t origin = conn.origin;
    on_readable(index);
    pump(origin);
  }
}

HttpResult& HttpTransport::emit(Job& job) {
  HttpResult& result = m_ready.emplace_back();
  result.id = job.request.id;
  // Latency and send time count from the first byte of this try written,
  // not from the wait for a free connection, as the receiver would measure them.
  result.started_us = job.sent_us != 0 ? job.sent_us : job.started_us;
  result.latency_us = m_now - result.started_us;
  result.lost = std::move(job.lost);
  result.sent_headers = std::move(job.sent_headers);
  result.request_body = std::move(job.request.body);
  result.request_headers = std::move(job.request.headers);
  return result;
}

void HttpTransport::fail(Job& job, ErrorKind kind, std::string why) {
  HttpResult& result = emit(job);
  result.error = kind;
  result.error_text = std::move(why);
}

void HttpTransport::poll(std::vector<HttpResult>& done, std::int64_t wait_us) {
  m_now = m_clock.now_us();
  check_deadlines();
  const std::int64_t until = m_now + std::max<std::int64_t>(0, wait_us);
  while (true) {
    std::int64_t wait = m_ready.empty() && m_buffered.empty() ? until - m_now : 0;
    if (m_next_deadline != INT64_MAX) wait = std::min(wait, m_next_deadline - m_now);
    wait_events(std::max<std::int64_t>(0, wait));
    check_deadlines();
    if (!m_ready.empty() || m_now >= until) break;
  }
  m_in_flight -= m_ready.size();
  if (done.empty()) {
    done.swap(m_ready);
  } else {
    std::move(m_ready.begin(), m_ready.end(), std::back_inserter(done));
  }
  m_ready.clear();
}

void HttpTransport::wait_events(std::int64_t wait_us) {
  epoll_event events[k_max_events];
  int count = -1;
  if (m_have_pwait2) {
    timespec timeout{};
    timeout.tv_sec = static_cast<time_t>(wait_us / 1000000);
    timeout.tv_nsec = static_cast<long>((wait_us % 1000000) * 1000);
    count = epoll_pwait2(m_epoll, events, k_max_events, &timeout, nullptr);
    if (count < 0 && errno == ENOSYS) m_have_pwait2 = false;
  }
  if (!m_have_pwait2) {
    const std::int64_t wait_ms = (wait_us + 999) / 1000;  // never wake before the deadline
    count = epoll_wait(m_epoll, events, k_max_events, static_cast<int>(std::min<std::int64_t>(wait_ms, INT32_MAX)));
  }
  m_now = m_clock.now_us();
  for (int i = 0; i < count; ++i) {
    const auto generation = static_cast<std::uint32_t>(events[i].data.u64 >> 32);
    const auto index = static_cast<std::uint32_t>(events[i].data.u64);
    const Connection& conn = *m_conns[index];
    if (conn.generation != generation || conn.state == ConnState::Free) continue;
    on_event(index, events[i].events);
  }
  if (!m_buffered.empty()) read_buffered();
}

}  // namespace callhook::delivery
