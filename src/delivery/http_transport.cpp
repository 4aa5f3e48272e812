// How a connection lives. It is Connecting (non-blocking connect, its job
// waiting), Busy (a request written, maybe partly, and its response being
// parsed), Idle (in its origin's pool, still watched for EPOLLIN so a close by
// the server is noticed) or Free (a slot for reuse). Each slot carries a
// generation in its epoll key, so an event for a socket closed earlier in the
// same batch never reaches the slot's next socket.
//
// Work moves forward through pump(): after any event, queued jobs of the
// origin go to idle connections or to new ones up to the limit. Handlers
// never call pump() themselves, so a burst of synchronous failures (refused
// connects) drains the queue in a loop rather than by recursion.
//
// Deadlines are not kept in a heap: m_next_deadline is a lower bound on
// every live deadline, and connections are scanned only once time passes
// it, which under a steady load happens about once per timeout period.
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

namespace callhook::delivery {
namespace {

constexpr std::uint32_t k_no_origin = UINT32_MAX;
constexpr std::uint32_t k_source_tag = UINT32_MAX;  // generation slot of a ResultSource's epoll entry
constexpr std::size_t k_read_buffer = 64 * 1024;
constexpr int k_max_events = 256;

std::uint64_t epoll_key(std::uint32_t generation, std::uint32_t index) {
  return (static_cast<std::uint64_t>(generation) << 32) | index;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(const std::string& text, const char* lower_name, std::size_t size) {
  if (text.size() != size) return false;
  for (std::size_t i = 0; i < size; ++i) {
    if (lower(text[i]) != lower_name[i]) return false;
  }
  return true;
}

// Headers the transport writes itself; a caller's copy would duplicate them.
bool is_transport_header(const std::string& name) {
  switch (name.size()) {
    case 4: return iequals(name, "host", 4);
    case 10: return iequals(name, "connection", 10);
    case 14: return iequals(name, "content-length", 14);
    case 17: return iequals(name, "transfer-encoding", 17);
    default: return false;
  }
}

void append_number(std::string& out, std::uint64_t value) {
  char digits[24];
  const auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

std::string errno_text(const char* what, int error) { return std::string(what) + ": " + std::strerror(error); }

}  // namespace

HttpTransport::HttpTransport(std::size_t connections_per_origin, const util::Clock& clock)
    : m_max_per_origin(std::max<std::size_t>(1, connections_per_origin)),
      m_clock(clock),
      m_read_buffer(new char[k_read_buffer]) {
  m_epoll = epoll_create1(EPOLL_CLOEXEC);
  if (m_epoll < 0) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

HttpTransport::~HttpTransport() {
  for (const auto& conn : m_conns) {
    if (conn->fd >= 0) ::close(conn->fd);
  }
  ::close(m_epoll);
}

void HttpTransport::attach(ResultSource& source) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = epoll_key(k_source_tag, static_cast<std::uint32_t>(m_sources.size()));
  if (epoll_ctl(m_epoll, EPOLL_CTL_ADD, source.wake_fd(), &event) < 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  }
  m_sources.push_back(&source);
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
  for (std::size_t i = 0; i < m_origins.size(); ++i) {
    if (m_origins[i].port == url.port && m_origins[i].host == url.host) {
      if (!m_origins[i].addresses.empty()) return static_cast<std::uint32_t>(i);
      break;  // resolving failed last time: try again
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
    if (m_origins[i].port == url.port && m_origins[i].host == url.host) {
      m_origins[i].addresses = std::move(addresses);
      return static_cast<std::uint32_t>(i);
    }
  }
  Origin& origin = m_origins.emplace_back();
  origin.host = url.host;
  origin.port = url.port;
  const bool v6 = url.host.find(':') != std::string::npos;
  origin.fixed_headers = "Host: ";
  origin.fixed_headers += v6 ? "[" + url.host + "]" : url.host;
  if (url.port != 80) {
    origin.fixed_headers += ':';
    append_number(origin.fixed_headers, url.port);
  }
  origin.fixed_headers += "\r\nConnection: keep-alive\r\n";
  origin.addresses = std::move(addresses);
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
  conn.generation = conn.generation + 1 == k_source_tag ? 0 : conn.generation + 1;
  conn.origin = origin_index;
  conn.state = ConnState::Connecting;
  conn.reused = false;
  conn.want_write = true;
  conn.address = address_index;
  conn.job = std::move(job);
  ++origin.open;

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
  } else if (errno == EINPROGRESS) {
    set_deadline(conn, m_now + conn.job.request.connect_timeout_ms * 1000);
  } else {
    on_connect_failed(index, errno_text("connect", errno));
  }
}

void HttpTransport::on_connected(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  int error = 0;
  socklen_t size = sizeof error;
  if (getsockopt(conn.fd, SOL_SOCKET, SO_ERROR, &error, &size) < 0) error = errno;
  if (error != 0) {
    on_connect_failed(index, errno_text("connect", error));
    return;
  }
  m_origins[conn.origin].preferred = conn.address;
  begin_send(index);
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

void HttpTransport::start_request(std::uint32_t index, Job job) {
  m_conns[index]->job = std::move(job);
  begin_send(index);
}

void HttpTransport::begin_send(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  build_head(conn, m_origins[conn.origin]);
  conn.sent = 0;
  conn.parser.reset();
  conn.state = ConnState::Busy;
  if (conn.job.sent_us == 0) conn.job.sent_us = m_now;
  set_deadline(conn, m_now + conn.job.request.timeout_ms * 1000);
  send_some(index);
}

void HttpTransport::build_head(Connection& conn, const Origin& origin) {
  const HttpRequest& request = conn.job.request;
  std::string& head = conn.head;
  head.clear();
  head += request.method;
  head += ' ';
  head += request.url.target.empty() ? std::string_view("/") : std::string_view(request.url.target);
  head += " HTTP/1.1\r\n";
  head += origin.fixed_headers;
  for (const auto& header : request.headers) {
    if (is_transport_header(header.name)) continue;
    head += header.name;
    head += ": ";
    head += header.value;
    head += "\r\n";
  }
  if (!request.body.empty() || request.method != "GET") {
    head += "Content-Length: ";
    append_number(head, request.body.size());
    head += "\r\n";
  }
  head += "\r\n";
}

void HttpTransport::send_some(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  const std::string& head = conn.head;
  const std::string& body = conn.job.request.body;
  const std::size_t total = head.size() + body.size();
  if (conn.sent >= total) return;
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
      set_want_write(index, true);
    } else {
      on_lost(index, errno_text("send", errno));
    }
    return;
  }
  conn.sent += static_cast<std::size_t>(written);
  set_want_write(index, conn.sent < total);
}

void HttpTransport::set_want_write(std::uint32_t index, bool want) {
  Connection& conn = *m_conns[index];
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
  if (conn.state == ConnState::Connecting) {
    if (events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) on_connected(index);
  } else {
    if (events & (EPOLLIN | EPOLLERR | EPOLLHUP)) on_readable(index);
    if ((events & EPOLLOUT) && conn.generation == generation && conn.state == ConnState::Busy && conn.want_write) {
      send_some(index);
    }
  }
  pump(origin);
}

void HttpTransport::on_readable(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  char* buffer = m_read_buffer.get();
  while (true) {
    const ssize_t got = ::read(conn.fd, buffer, k_read_buffer);
    if (got > 0) {
      const auto size = static_cast<std::size_t>(got);
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
        on_response_done(index, used < size);
        return;
      }
      if (size < k_read_buffer) return;
    } else if (got == 0) {
      if (conn.state != ConnState::Busy) {
        close_connection(index);
      } else if (!conn.parser.started()) {
        on_lost(index, "connection closed before any response byte");
      } else {
        conn.parser.finish_at_eof();
        if (conn.parser.complete()) {
          on_response_done(index, false);
        } else {
          on_lost(index, conn.parser.error());
        }
      }
      return;
    } else {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (conn.state != ConnState::Busy) {
        close_connection(index);
      } else {
        on_lost(index, errno_text("read", errno));
      }
      return;
    }
  }
}

void HttpTransport::on_response_done(std::uint32_t index, bool leftover) {
  Connection& conn = *m_conns[index];
  HttpResult& result = emit(conn.job);
  result.status = conn.parser.status();
  if (!conn.parser.retry_after().empty()) result.retry_after = conn.parser.retry_after();
  if (!conn.parser.body().empty()) result.body = std::move(conn.parser.body());
  const bool fully_sent = conn.sent == conn.head.size() + conn.job.request.body.size();
  if (!conn.parser.keep_alive() || leftover || !fully_sent) {
    close_connection(index);
    return;
  }
  conn.state = ConnState::Idle;
  conn.reused = true;
  set_want_write(index, false);
  m_origins[conn.origin].idle.push_back(index);
}

void HttpTransport::on_lost(std::uint32_t index, std::string why) {
  Connection& conn = *m_conns[index];
  const std::uint32_t origin = conn.origin;
  // A keep-alive connection the server closed while idle fails before any
  // response byte; that is the pool's fault, not the attempt's: retry once fresh.
  const bool stale = conn.reused && !conn.parser.started() && !conn.job.retried;
  Job job = std::move(conn.job);
  close_connection(index);
  if (stale) {
    job.retried = true;
    job.addresses_tried = 0;
    open_connection(origin, std::move(job), m_origins[origin].preferred);
  } else {
    fail(job, ErrorKind::Closed, std::move(why));
  }
}

void HttpTransport::close_connection(std::uint32_t index) {
  Connection& conn = *m_conns[index];
  if (conn.fd < 0) return;
  Origin& origin = m_origins[conn.origin];
  if (conn.state == ConnState::Idle) {
    origin.idle.erase(std::remove(origin.idle.begin(), origin.idle.end(), index), origin.idle.end());
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
    if (conn.state != ConnState::Connecting && conn.state != ConnState::Busy) continue;
    if (conn.deadline_us <= m_now) {
      m_expired.push_back(i);
    } else {
      m_next_deadline = std::min(m_next_deadline, conn.deadline_us);
    }
  }
  for (const std::uint32_t index : m_expired) {
    Connection& conn = *m_conns[index];
    const std::uint32_t origin = conn.origin;
    const bool connecting = conn.state == ConnState::Connecting;
    std::string why = connecting ? "connect timed out after " + std::to_string(conn.job.request.connect_timeout_ms)
                                 : "no complete response within " + std::to_string(conn.job.request.timeout_ms);
    why += " ms";
    Job job = std::move(conn.job);
    close_connection(index);
    fail(job, connecting ? ErrorKind::Connect : ErrorKind::Timeout, std::move(why));
    pump(origin);
  }
}

HttpResult& HttpTransport::emit(const Job& job) {
  HttpResult& result = m_ready.emplace_back();
  result.id = job.request.id;
  // Latency and send time count from the first byte written, not from the
  // wait for a free connection, as the receiver would measure them.
  result.started_us = job.sent_us != 0 ? job.sent_us : job.started_us;
  result.latency_us = m_now - result.started_us;
  return result;
}

void HttpTransport::fail(const Job& job, ErrorKind kind, std::string why) {
  HttpResult& result = emit(job);
  result.error = kind;
  result.error_text = std::move(why);
}

void HttpTransport::poll(std::vector<HttpResult>& done, std::int64_t wait_us) {
  m_now = m_clock.now_us();
  check_deadlines();
  const std::int64_t until = m_now + std::max<std::int64_t>(0, wait_us);
  while (true) {
    std::int64_t wait = m_ready.empty() ? until - m_now : 0;
    if (m_next_deadline != INT64_MAX) wait = std::min(wait, m_next_deadline - m_now);
    wait_events(std::max<std::int64_t>(0, wait));
    check_deadlines();
    if (!m_ready.empty() || m_now >= until) break;
  }
  m_in_flight -= m_ready.size() - m_foreign_ready;
  m_foreign_ready = 0;
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
    if (generation == k_source_tag) {
      const std::size_t before = m_ready.size();
      m_sources[index]->drain(m_ready);
      m_foreign_ready += m_ready.size() - before;
      continue;
    }
    const Connection& conn = *m_conns[index];
    if (conn.generation != generation || conn.state == ConnState::Free) continue;
    on_event(index, events[i].events);
  }
}

}  // namespace callhook::delivery
