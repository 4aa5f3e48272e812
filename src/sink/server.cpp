#include "sink/server.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <vector>

#include "util/text.hpp"
#include "util/url.hpp"

namespace callhook::sink {
namespace {

// cpp-httplib closes a keep-alive connection after 5 requests by default,
// which a webhook sender would pay for with a reconnect every 5 requests.
constexpr std::size_t k_keep_alive_max_count = 1'000'000;
// How long stop() lets answers in progress finish before it ends connections.
constexpr auto k_stop_grace = std::chrono::seconds(10);

thread_local bool t_answering = false;

// Headers that cpp-httplib adds to each request itself; they were not sent.
bool added_by_library(const std::string& name) {
  return name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT";
}

HttpRequest to_request(const httplib::Request& req) {
  HttpRequest out;
  out.method = req.method;
  out.path = req.path;
  const auto question = req.target.find('?');
  if (question != std::string::npos) out.query = req.target.substr(question + 1);
  out.raw_path = req.target.substr(0, question);
  for (const auto& [name, value] : req.headers)
    if (!added_by_library(name)) out.headers.push_back({name, value});
  out.body = req.body;
  out.remote_port = req.remote_port;
  return out;
}

std::optional<int> local_port(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return std::nullopt;
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port);
  return std::nullopt;
}

bool connected(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  return getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
}

// cpp-httplib's workers notice a stop only between requests: one waiting on
// an idle keep-alive connection waits out the keep-alive timeout (5 s) first,
// and the library gives no handle on those connections. They are the
// process's connected sockets on the port we bound, so find them among the
// open descriptors and shut down their reading side: the waiting worker wakes
// to an end of stream at once. Only for after the answers in progress are
// written: before each write cpp-httplib checks that the peer is still there,
// and an ended reading side looks like a peer gone.
void end_idle_connections(int port) {
  DIR* fds = opendir("/proc/self/fd");
  if (!fds) return;
  while (const dirent* entry = readdir(fds)) {
    char* end = nullptr;
    const long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == dirfd(fds)) continue;
    struct stat info {};
    if (fstat(static_cast<int>(fd), &info) != 0 || !S_ISSOCK(info.st_mode)) continue;
    if (local_port(static_cast<int>(fd)) == port && connected(static_cast<int>(fd)))
      shutdown(static_cast<int>(fd), SHUT_RD);
  }
  closedir(fds);
}

// Worker threads made as connections come, up to a limit, so an idle server
// holds one thread per connection it has served at once, not its limit; and
// a thread that cannot be made is not fatal. cpp-httplib's ThreadPool makes
// every thread up front and ends the process (std::terminate) when the
// system refuses one. Here the connection waits for a worker that exists,
// or with none at all is served on the accepting thread itself.
class GrowingPool final : public httplib::TaskQueue {
 public:
  explicit GrowingPool(std::size_t limit) : m_limit(std::max<std::size_t>(1, limit)) {}
  ~GrowingPool() override { shutdown(); }
  GrowingPool(const GrowingPool&) = delete;
  GrowingPool& operator=(const GrowingPool&) = delete;

  void enqueue(std::function<void()> job) override {
    std::unique_lock lock(m_mutex);
    if (m_idle == 0 && m_threads.size() < m_limit) {
      try {
        m_threads.emplace_back([this] { work(); });
      } catch (const std::system_error&) {
        if (m_threads.empty()) {
          lock.unlock();
          job();
          return;
        }
      }
    }
    m_jobs.push_back(std::move(job));
    lock.unlock();
    m_wake.notify_one();
  }

  void shutdown() override {
    {
      const std::lock_guard lock(m_mutex);
      m_stopping = true;
    }
    m_wake.notify_all();
    for (std::thread& thread : m_threads)
      if (thread.joinable()) thread.join();
  }

 private:
  void work() {
    std::unique_lock lock(m_mutex);
    for (;;) {
      ++m_idle;
      m_wake.wait(lock, [this] { return !m_jobs.empty() || m_stopping; });
      --m_idle;
      if (m_jobs.empty()) return;  // stopping, nothing left
      std::function<void()> job = std::move(m_jobs.front());
      m_jobs.pop_front();
      lock.unlock();
      job();
      lock.lock();
    }
  }

  const std::size_t m_limit;
  std::mutex m_mutex;
  std::condition_variable m_wake;
  std::deque<std::function<void()>> m_jobs;
  std::vector<std::thread> m_threads;  // grows under m_mutex only
  std::size_t m_idle = 0;
  bool m_stopping = false;
};

bool body_allowed(int status) { return status >= 200 && status != 204 && status != 304; }

// Sends every method and path to `handler`; `answering` counts the requests
// between the handler's start and the end of writing their answers.
void route_all(httplib::Server& server, HttpHandler handler, const std::shared_ptr<std::atomic<int>>& answering) {
  auto adapter = [handler = std::move(handler), answering](const httplib::Request& req, httplib::Response& res) {
    // A connection is served by one worker thread from request to answer, so
    // a thread-local flag pairs this with the logger call after the write.
    t_answering = true;
    answering->fetch_add(1);
    HttpResponse answer = handler(to_request(req));
    res.status = answer.status;
    for (const auto& h : answer.headers) res.set_header(h.name, h.value);
    if (body_allowed(answer.status)) {
      // What set_content does (its Content-Type replaces any other), without copying the body.
      res.body = std::move(answer.body);
      if (!answer.content_type.empty()) {
        res.headers.erase("Content-Type");
        res.set_header("Content-Type", answer.content_type);
      }
    }
  };
  // A pattern per method, because cpp-httplib routes by method; ".*" takes
  // every path. HEAD is answered by the GET route without a body.
  const std::string any = ".*";
  server.Get(any, adapter);
  server.Post(any, adapter);
  server.Put(any, adapter);
  server.Patch(any, adapter);
  server.Delete(any, adapter);
  server.Options(any, adapter);
  // cpp-httplib calls the logger once the answer is written.
  server.set_logger([answering](const httplib::Request&, const httplib::Response&) {
    if (!t_answering) return;
    t_answering = false;
    answering->fetch_sub(1);
  });
}

}  // namespace

std::string HttpRequest::header(std::string_view name) const {
  for (const auto& h : headers)
    if (util::iequals(h.name, name)) return h.value;
  return {};
}

std::string origin_url(const std::string& host, int port) {
  std::string shown = host;
  if (shown.empty() || shown == "0.0.0.0") shown = "127.0.0.1";
  if (shown == "::") shown = "::1";
  return "http://" + util::authority(shown, port);
}

struct HttpServer::Impl {
  std::mutex lifecycle;
  int port = 0;
  // Requests between the handler's start and the end of writing the answer.
  std::shared_ptr<std::atomic<int>> answering = std::make_shared<std::atomic<int>>(0);
  std::unique_ptr<httplib::Server> server;
  std::thread thread;
};

HttpServer::HttpServer() : m_impl(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() { stop(); }

int HttpServer::start(const std::string& host, int port, std::size_t threads, HttpHandler handler) {
  std::lock_guard lock(m_impl->lifecycle);
  if (m_impl->server) throw std::logic_error("HTTP server already started");
  auto server = std::make_unique<httplib::Server>();
  const std::size_t pool = std::max<std::size_t>(1, threads);
  server->new_task_queue = [pool] { return new GrowingPool(pool); };
  server->set_keep_alive_max_count(k_keep_alive_max_count);
  server->set_tcp_nodelay(true);
  // The library's default also sets SO_REUSEPORT, which lets a second server
  // bind a port that is in use and share its connections; keep only
  // SO_REUSEADDR so a busy port is an error.
  auto listening = std::make_shared<std::atomic<int>>(-1);
  server->set_socket_options([listening](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    *listening = sock;
  });

  route_all(*server, std::move(handler), m_impl->answering);

  int bound = port;
  if (port == 0) {
    bound = server->bind_to_any_port(host);
  } else if (!server->bind_to_port(host, port)) {
    bound = -1;
  }
  if (bound <= 0)
    throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) +
                             " (port in use or address not available)");

  // cpp-httplib listens with a backlog of 5: a burst of new connections
  // overflows it and the extra ones wait a second for SYN retransmission, or
  // fail. Listening again on the bound socket raises the backlog.
  if (*listening >= 0) ::listen(*listening, SOMAXCONN);

  httplib::Server* raw = server.get();
  auto finished = std::make_shared<std::atomic<bool>>(false);
  m_impl->thread = std::thread([raw, finished] {
    raw->listen_after_bind();
    *finished = true;
  });
  // cpp-httplib has no readiness signal: poll until its accept loop runs, so
  // that stop() (which does nothing before that) can always end it.
  while (!raw->is_running()) {
    if (*finished) {
      m_impl->thread.join();
      throw std::runtime_error("cannot serve on " + host + ":" + std::to_string(bound));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  m_impl->server = std::move(server);
  m_impl->port = bound;
  return bound;
}

void HttpServer::stop() {
  std::lock_guard lock(m_impl->lifecycle);
  if (!m_impl->server) return;
  m_impl->server->stop();
  // Answers being written are let finish: ending a connection's reading side
  // makes cpp-httplib think the peer is gone and drop the answer.
  const auto deadline = std::chrono::steady_clock::now() + k_stop_grace;
  while (m_impl->answering->load() > 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  end_idle_connections(m_impl->port);
  if (m_impl->thread.joinable()) m_impl->thread.join();
  m_impl->server.reset();
}

bool HttpServer::running() const {
  std::lock_guard lock(m_impl->lifecycle);
  return m_impl->server && m_impl->server->is_running();
}

}  // namespace callhook::sink
