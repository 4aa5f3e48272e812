#include "delivery/tls_pool.hpp"

#include <algorithm>
#include <cerrno>
#include <system_error>

#include <httplib.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace callhook::delivery {
namespace {

// The one place cpp-httplib's errors become ours.
ErrorKind error_kind(httplib::Error error) {
  switch (error) {
    case httplib::Error::Success: return ErrorKind::None;
    case httplib::Error::Connection:
    case httplib::Error::BindIPAddress:
    case httplib::Error::ConnectionTimeout: return ErrorKind::Connect;
    case httplib::Error::Read:
    case httplib::Error::Write: return ErrorKind::Closed;
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification: return ErrorKind::Tls;
    case httplib::Error::Unknown:
    case httplib::Error::ExceedRedirectCount:
    case httplib::Error::Canceled:
    case httplib::Error::UnsupportedMultipartBoundaryChars:
    case httplib::Error::Compression: return ErrorKind::Protocol;
  }
  return ErrorKind::Protocol;
}

bool is_transport_header(const std::string& name) {
  static const char* const k_names[] = {"host", "connection", "content-length", "transfer-encoding"};
  return std::any_of(std::begin(k_names), std::end(k_names), [&](const char* reserved) {
    const std::string_view want(reserved);
    return name.size() == want.size() && std::equal(name.begin(), name.end(), want.begin(), [](char a, char b) {
             return std::tolower(static_cast<unsigned char>(a)) == b;
           });
  });
}

void set_timeouts(httplib::SSLClient& client, const HttpRequest& request) {
  const auto connect_ms = std::max<std::int64_t>(1, request.connect_timeout_ms);
  const auto response_ms = std::max<std::int64_t>(1, request.timeout_ms);
  client.set_connection_timeout(static_cast<time_t>(connect_ms / 1000), static_cast<time_t>(connect_ms % 1000 * 1000));
  client.set_read_timeout(static_cast<time_t>(response_ms / 1000), static_cast<time_t>(response_ms % 1000 * 1000));
  client.set_write_timeout(static_cast<time_t>(response_ms / 1000), static_cast<time_t>(response_ms % 1000 * 1000));
}

}  // namespace

class TlsPool::Worker {
 public:
  std::thread thread;
  httplib::SSLClient* client = nullptr;  // set while the thread runs, so the pool can abort its I/O
};

struct TlsPool::Origin {
  std::string host;
  int port = 443;
  std::deque<Job> queue;
  std::condition_variable ready;
  std::vector<std::unique_ptr<Worker>> workers;
  std::size_t idle_workers = 0;
};

TlsPool::TlsPool(std::size_t workers_per_origin, bool insecure, const util::Clock& clock)
    : m_workers_per_origin(std::max<std::size_t>(1, workers_per_origin)), m_insecure(insecure), m_clock(clock) {
  m_wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (m_wake_fd < 0) throw std::system_error(errno, std::generic_category(), "eventfd");
}

TlsPool::~TlsPool() {
  {
    std::lock_guard lock(m_mutex);
    m_stopping = true;
    for (auto& origin : m_origins) {
      for (auto& worker : origin->workers) {
        if (worker->client) worker->client->stop();
      }
      origin->ready.notify_all();
    }
  }
  for (auto& origin : m_origins) {
    for (auto& worker : origin->workers) worker->thread.join();
  }
  ::close(m_wake_fd);
}

void TlsPool::submit(HttpRequest request, std::int64_t started_us) {
  ++m_in_flight;
  std::lock_guard lock(m_mutex);
  Origin* origin = nullptr;
  for (auto& candidate : m_origins) {
    if (candidate->port == request.url.port && candidate->host == request.url.host) origin = candidate.get();
  }
  if (!origin) {
    origin = m_origins.emplace_back(std::make_unique<Origin>()).get();
    origin->host = request.url.host;
    origin->port = request.url.port;
  }
  origin->queue.push_back(Job{std::move(request), started_us});
  if (origin->queue.size() > origin->idle_workers && origin->workers.size() < m_workers_per_origin) {
    auto& worker = *origin->workers.emplace_back(std::make_unique<Worker>());
    worker.thread = std::thread([this, origin, &worker] { work(*origin, worker); });
  }
  origin->ready.notify_one();
}

void TlsPool::work(Origin& origin, Worker& worker) {
  // OpenSSL writes with plain write(): a peer that closed would raise SIGPIPE
  // and end the process. Blocked here, the write fails with EPIPE instead.
  sigset_t pipe_only;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);

  httplib::SSLClient client(origin.host, origin.port);
  client.set_tcp_nodelay(true);
  client.set_keep_alive(true);
  client.enable_server_certificate_verification(!m_insecure);
  {
    std::lock_guard lock(m_mutex);
    worker.client = &client;
  }
  while (true) {
    Job job;
    {
      std::unique_lock lock(m_mutex);
      ++origin.idle_workers;
      origin.ready.wait(lock, [&] { return m_stopping || !origin.queue.empty(); });
      --origin.idle_workers;
      if (m_stopping) break;
      job = std::move(origin.queue.front());
      origin.queue.pop_front();
    }

    httplib::Request request;
    request.method = job.request.method;
    request.path = job.request.url.target.empty() ? "/" : job.request.url.target;
    for (const auto& header : job.request.headers) {
      if (!is_transport_header(header.name)) request.headers.emplace(header.name, header.value);
    }
    request.body = std::move(job.request.body);
    std::string body;
    request.content_receiver = [&body](const char* data, size_t size, std::uint64_t, std::uint64_t) {
      const std::size_t room = ResponseParser::k_max_body - std::min(body.size(), ResponseParser::k_max_body);
      body.append(data, std::min(size, room));
      return true;
    };
    set_timeouts(client, job.request);
    const httplib::Result response = client.send(request);

    HttpResult result;
    result.id = job.request.id;
    result.started_us = job.started_us;
    result.latency_us = m_clock.now_us() - job.started_us;
    if (response) {
      result.status = response->status;
      result.retry_after = response->get_header_value("Retry-After");
      result.body = std::move(body);
    } else {
      result.error = error_kind(response.error());
      result.error_text = httplib::to_string(response.error());
      // cpp-httplib reports a read that ran out of time as a read error.
      if (result.error == ErrorKind::Closed && result.latency_us >= job.request.timeout_ms * 1000) {
        result.error = ErrorKind::Timeout;
      }
    }
    deliver(std::move(result));
  }
  std::lock_guard lock(m_mutex);
  worker.client = nullptr;
}

void TlsPool::deliver(HttpResult result) {
  {
    std::lock_guard lock(m_mutex);
    m_results.push_back(std::move(result));
  }
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto written = ::write(m_wake_fd, &one, sizeof one);
}

void TlsPool::drain(std::vector<HttpResult>& done) {
  std::uint64_t count = 0;
  [[maybe_unused]] const auto got = ::read(m_wake_fd, &count, sizeof count);
  std::lock_guard lock(m_mutex);
  m_in_flight -= m_results.size();
  std::move(m_results.begin(), m_results.end(), std::back_inserter(done));
  m_results.clear();
}

}  // namespace callhook::delivery
