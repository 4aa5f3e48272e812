#pragma once
// Loopback receivers for the transport's tests (and the helpers that send to
// them and wait for results): a self-signed certificate
// made in memory, and a raw-socket server (plain or TLS) whose handler
// decides byte by byte what a connection gets, so it can misbehave on
// purpose. Connections are served one at a time on the server's thread;
// every blocking step wakes up often to see whether the server stops.
#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "delivery/transport.hpp"

namespace callhook::test {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;

// A P-256 key and a one-hour certificate for "localhost", signed by itself.
inline std::pair<Key, Cert> self_signed() {
  Key key(EVP_EC_gen("P-256"));
  Cert cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return {std::move(key), std::move(cert)};
}

// One accepted connection as the handler sees it.
class Peer {
 public:
  Peer(int fd, SSL* tls, const std::atomic<bool>& stop, std::atomic<int>& requests)
      : m_fd(fd), m_tls(tls), m_stop(stop), m_requests(requests) {}

  // Reads one request, head and Content-Length body; false when the client
  // closed first. The head is kept in head().
  bool read_request() {
    if (!read_head()) return false;
    const std::size_t length = content_length();
    while (m_in.size() < length) {
      if (!read_some()) return false;
    }
    m_in.erase(0, length);
    return true;
  }
  // Reads the next request's head only (its body stays unread).
  bool read_head() {
    std::size_t end = 0;
    while ((end = m_in.find("\r\n\r\n")) == std::string::npos) {
      if (!read_some()) return false;
    }
    m_head = m_in.substr(0, end + 4);
    m_in.erase(0, end + 4);
    ++m_requests;
    return true;
  }
  const std::string& head() const { return m_head; }

  // Sends all of `bytes`; false once the client has gone.
  bool send(std::string_view bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size() && !m_stop) {
      const auto size = static_cast<int>(std::min<std::size_t>(bytes.size() - sent, 1 << 20));
      if (m_tls) {
        const int n = SSL_write(m_tls, bytes.data() + sent, size);
        if (n > 0) {
          sent += static_cast<std::size_t>(n);
          continue;
        }
        const int error = SSL_get_error(m_tls, n);
        if (error != SSL_ERROR_WANT_WRITE && error != SSL_ERROR_WANT_READ) return false;
      } else {
        const ssize_t n = ::send(m_fd, bytes.data() + sent, static_cast<std::size_t>(size), MSG_NOSIGNAL);
        if (n > 0) {
          sent += static_cast<std::size_t>(n);
          continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
      }
    }
    return sent == bytes.size();
  }
  // Sends `bytes` one at a time, `gap` apart; false once the client has gone.
  bool trickle(std::string_view bytes, std::chrono::milliseconds gap) {
    for (const char c : bytes) {
      if (m_stop || !send(std::string_view(&c, 1))) return false;
      std::this_thread::sleep_for(gap);
    }
    return true;
  }
  // Closes with a TCP reset instead of an orderly close.
  void reset() {
    const linger hard{1, 0};
    setsockopt(m_fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    m_reset = true;
  }
  bool was_reset() const { return m_reset; }
  bool stopping() const { return m_stop; }

 private:
  bool read_some() {
    char buffer[16384];
    while (!m_stop) {
      if (m_tls) {
        const int n = SSL_read(m_tls, buffer, sizeof buffer);
        if (n > 0) {
          m_in.append(buffer, static_cast<std::size_t>(n));
          return true;
        }
        const int error = SSL_get_error(m_tls, n);
        if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
      } else {
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n > 0) {
          m_in.append(buffer, static_cast<std::size_t>(n));
          return true;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return false;
      }
    }
    return false;
  }
  std::size_t content_length() const {
    std::string lower = m_head;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const auto at = lower.find("\r\ncontent-length:");
    return at == std::string::npos ? 0 : std::stoul(lower.substr(at + 17));
  }

  int m_fd;
  SSL* m_tls;
  const std::atomic<bool>& m_stop;
  std::atomic<int>& m_requests;
  std::string m_in;
  std::string m_head;
  bool m_reset = false;
};

class HostileServer {
 public:
  // handler(peer, n) serves the n-th connection (0-based); returning closes it.
  using Handler = std::function<void(Peer&, int)>;

  HostileServer(bool tls, Handler handler) : m_handler(std::move(handler)) {
    if (tls) {
      auto [key, cert] = self_signed();
      m_context = SSL_CTX_new(TLS_server_method());
      SSL_CTX_use_certificate(m_context, cert.get());
      SSL_CTX_use_PrivateKey(m_context, key.get());
    }
    m_listen = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    ::bind(m_listen, reinterpret_cast<sockaddr*>(&address), size);
    ::listen(m_listen, 16);
    ::getsockname(m_listen, reinterpret_cast<sockaddr*>(&address), &size);
    m_port = ntohs(address.sin_port);
    m_thread = std::thread([this] { run(); });
  }
  ~HostileServer() {
    m_stop = true;
    m_thread.join();
    ::close(m_listen);
    if (m_context) SSL_CTX_free(m_context);
  }
  HostileServer(const HostileServer&) = delete;
  HostileServer& operator=(const HostileServer&) = delete;

  std::string url(const std::string& host = "127.0.0.1") const {
    return std::string(m_context ? "https" : "http") + "://" + host + ":" + std::to_string(m_port) + "/hook";
  }
  int connections() const { return m_connections; }
  int requests() const { return m_requests; }
  int resumed() const { return m_resumed; }  // TLS connections that resumed a session

  static std::string ok(const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }

 private:
  void run() {
    // OpenSSL's socket writes raise SIGPIPE once the client has gone: keep it pending on this thread.
    sigset_t pipe_only;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_only, nullptr);
    while (!m_stop) {
      pollfd ready{m_listen, POLLIN, 0};
      if (::poll(&ready, 1, 20) <= 0) continue;
      const int fd = ::accept(m_listen, nullptr, nullptr);
      if (fd < 0) continue;
      const timeval wake{0, 20'000};  // blocking calls return every 20 ms to look at m_stop
      setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wake, sizeof wake);
      setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wake, sizeof wake);
      const int n = m_connections++;
      SSL* tls = nullptr;
      if (m_context) {
        tls = SSL_new(m_context);
        SSL_set_fd(tls, fd);
        if (!accept_tls(tls)) {
          SSL_free(tls);
          ::close(fd);
          continue;
        }
        if (SSL_session_reused(tls)) ++m_resumed;
      }
      Peer peer(fd, tls, m_stop, m_requests);
      m_handler(peer, n);
      if (tls) {
        if (!peer.was_reset()) SSL_shutdown(tls);
        SSL_free(tls);
      }
      ::close(fd);
    }
  }

  bool accept_tls(SSL* tls) {
    while (!m_stop) {
      const int rc = SSL_accept(tls);
      if (rc == 1) return true;
      const int error = SSL_get_error(tls, rc);
      if (error != SSL_ERROR_WANT_READ && error != SSL_ERROR_WANT_WRITE) return false;
    }
    return false;
  }

  Handler m_handler;
  SSL_CTX* m_context = nullptr;
  int m_listen = -1;
  int m_port = 0;
  std::atomic<bool> m_stop{false};
  std::atomic<int> m_connections{0};
  std::atomic<int> m_requests{0};
  std::atomic<int> m_resumed{0};
  std::thread m_thread;
};

// Polls until `count` results arrived or a generous limit passed; results in arrival order.
inline std::vector<delivery::HttpResult> wait_for(delivery::Transport& transport, std::size_t count,
                                                  std::chrono::seconds limit = std::chrono::seconds(20)) {
  std::vector<delivery::HttpResult> done;
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (done.size() < count && std::chrono::steady_clock::now() < give_up) transport.poll(done, 20'000);
  return done;
}

// Sends `request` and waits for its one result.
inline delivery::HttpResult one(delivery::Transport& transport, delivery::HttpRequest request) {
  transport.submit(std::move(request));
  auto done = wait_for(transport, 1);
  REQUIRE(done.size() == 1);
  return done.front();
}

// One scripted answer: `bytes` sent whole, then the connection closed when
// `close_after`.
struct ScriptedReply {
  std::string bytes;
  bool close_after = false;
};

// A handler that answers the n-th request (0-based, over all connections)
// with script(n), reading each request whole first.
inline HostileServer::Handler scripted(std::function<ScriptedReply(int)> script) {
  return [script = std::move(script), n = 0](Peer& peer, int) mutable {
    while (peer.read_request()) {
      const ScriptedReply reply = script(n++);
      if (!peer.send(reply.bytes) || reply.close_after) return;
    }
  };
}

}  // namespace callhook::test
