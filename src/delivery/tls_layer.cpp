#include "delivery/tls_layer.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

namespace callhook::delivery {
namespace {

// OpenSSL's own socket BIO writes with write(), which raises SIGPIPE when
// the peer has gone; this one sends with MSG_NOSIGNAL, as the plain path does.
int socket_of(BIO* bio) { return static_cast<int>(reinterpret_cast<std::intptr_t>(BIO_get_data(bio))); }

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

int socket_write(BIO* bio, const char* data, int size) {
  BIO_clear_retry_flags(bio);
  const ssize_t sent = ::send(socket_of(bio), data, static_cast<std::size_t>(size), MSG_NOSIGNAL);
  if (sent >= 0) return static_cast<int>(sent);
  if (would_block(errno)) BIO_set_retry_write(bio);
  return -1;
}

int socket_read(BIO* bio, char* data, int size) {
  BIO_clear_retry_flags(bio);
  const ssize_t got = ::read(socket_of(bio), data, static_cast<std::size_t>(size));
  if (got > 0) return static_cast<int>(got);
  if (got == 0) {
    BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
    return 0;
  }
  if (would_block(errno)) BIO_set_retry_read(bio);
  return -1;
}

long socket_ctrl(BIO* bio, int command, long, void*) {
  switch (command) {
    case BIO_CTRL_FLUSH: return 1;
    case BIO_CTRL_EOF: return BIO_test_flags(bio, BIO_FLAGS_IN_EOF) != 0 ? 1 : 0;
    default: return 0;
  }
}

int socket_create(BIO* bio) {
  BIO_set_init(bio, 1);
  return 1;
}

// The first queued OpenSSL error as text, after `what`; clears the queue.
std::string openssl_error(const std::string& what) {
  std::string text = what;
  if (const unsigned long code = ERR_get_error(); code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    text += ": ";
    text += buffer;
  }
  ERR_clear_error();
  return text;
}

int keep_session(SSL* ssl, SSL_SESSION* session) {
  auto* slot = static_cast<TlsSessionSlot*>(SSL_get_app_data(ssl));
  if (!slot) return 0;
  slot->replace(session);
  return 1;  // the slot holds the reference now
}

bool is_ip_literal(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return inet_pton(AF_INET, host.c_str(), address) == 1 || inet_pton(AF_INET6, host.c_str(), address) == 1;
}

// Maps an OpenSSL result that is not success to what the loop does next.
IoStatus status_of(SSL* ssl, int rc, const char* what, std::string& error) {
  const int saved_errno = errno;
  switch (SSL_get_error(ssl, rc)) {
    case SSL_ERROR_WANT_READ: return IoStatus::WantRead;
    case SSL_ERROR_WANT_WRITE: return IoStatus::WantWrite;
    case SSL_ERROR_ZERO_RETURN: return IoStatus::Eof;
    case SSL_ERROR_SYSCALL:
      if (ERR_peek_error() != 0) {
        error = openssl_error(what);
        return IoStatus::TlsFailed;
      }
      if (saved_errno == 0) return IoStatus::Eof;  // closed without close_notify
      error = std::string(what) + ": " + std::strerror(saved_errno);
      return IoStatus::Failed;
    case SSL_ERROR_SSL:
      if (ERR_GET_REASON(ERR_peek_error()) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
        ERR_clear_error();
        return IoStatus::Eof;
      }
      error = openssl_error(what);
      return IoStatus::TlsFailed;
    default: error = openssl_error(what); return IoStatus::TlsFailed;
  }
}

}  // namespace

TlsSessionSlot::~TlsSessionSlot() {
  if (m_session) SSL_SESSION_free(m_session);
}

void TlsSessionSlot::replace(SSL_SESSION* session) {
  if (m_session) SSL_SESSION_free(m_session);
  m_session = session;
}

TlsLayer::TlsLayer(bool insecure) : m_verify(!insecure) {
  m_context = SSL_CTX_new(TLS_client_method());
  m_socket_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "callhook socket");
  if (!m_context || !m_socket_method) throw std::runtime_error(openssl_error("TLS setup"));
  BIO_meth_set_write(m_socket_method, socket_write);
  BIO_meth_set_read(m_socket_method, socket_read);
  BIO_meth_set_ctrl(m_socket_method, socket_ctrl);
  BIO_meth_set_create(m_socket_method, socket_create);

  SSL_CTX_set_min_proto_version(m_context, TLS1_2_VERSION);
  // Partial writes let a large body go out as the socket takes it; a write
  // that waited is retried from the same offset of the same string.
  SSL_CTX_set_mode(m_context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // Read what the socket has in one go: fewer system calls, and bytes after
  // a response are seen (has_buffered) before the connection is reused.
  SSL_CTX_set_read_ahead(m_context, 1);
  SSL_CTX_set_options(m_context, SSL_OP_IGNORE_UNEXPECTED_EOF);
  static const unsigned char k_alpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(m_context, k_alpn, sizeof k_alpn);
  SSL_CTX_set_session_cache_mode(m_context, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(m_context, keep_session);
  if (m_verify) {
    SSL_CTX_set_default_verify_paths(m_context);
    SSL_CTX_set_verify(m_context, SSL_VERIFY_PEER, nullptr);
  } else {
    SSL_CTX_set_verify(m_context, SSL_VERIFY_NONE, nullptr);
  }
  ERR_clear_error();
}

TlsLayer::~TlsLayer() {
  SSL_CTX_free(m_context);
  BIO_meth_free(m_socket_method);
}

SSL* TlsLayer::open(int fd, const std::string& host, TlsSessionSlot& slot, std::string& error) const {
  SSL* ssl = SSL_new(m_context);
  BIO* bio = ssl ? BIO_new(m_socket_method) : nullptr;
  if (!bio) {
    if (ssl) SSL_free(ssl);
    error = openssl_error("TLS setup");
    return nullptr;
  }
  // The BIO keeps the socket number as its data: OpenSSL has no integer slot.
  BIO_set_data(bio, reinterpret_cast<void*>(static_cast<std::intptr_t>(fd)));  // NOLINT(performance-no-int-to-ptr)
  SSL_set_bio(ssl, bio, bio);
  SSL_set_app_data(ssl, &slot);
  const bool ip = is_ip_literal(host);
  if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());  // SNI carries names only (RFC 6066)
  if (m_verify) {
    const int ok =
        ip ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) : SSL_set1_host(ssl, host.c_str());
    if (ok != 1) {
      SSL_free(ssl);
      error = openssl_error("TLS host name " + host);
      return nullptr;
    }
  }
  if (slot.get()) SSL_set_session(ssl, slot.get());
  SSL_set_connect_state(ssl);
  return ssl;
}

void TlsLayer::close(SSL* ssl) {
  // Freed without a shutdown, OpenSSL marks the session not resumable; the
  // socket's close ends the connection either way, so shut down quietly.
  SSL_set_quiet_shutdown(ssl, 1);
  SSL_shutdown(ssl);
  SSL_free(ssl);
}

IoStatus TlsLayer::handshake(SSL* ssl, std::string& error) {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_do_handshake(ssl);
  if (rc == 1) return IoStatus::Ok;
  const IoStatus status = status_of(ssl, rc, "TLS handshake", error);
  if (status == IoStatus::TlsFailed) {
    if (const long verified = SSL_get_verify_result(ssl); verified != X509_V_OK) {
      error = std::string("TLS handshake: certificate verify failed: ") + X509_verify_cert_error_string(verified);
    }
  } else if (status == IoStatus::Eof) {
    error = "TLS handshake: connection closed";
    return IoStatus::TlsFailed;
  }
  return status;
}

IoStatus TlsLayer::read(SSL* ssl, char* buffer, std::size_t size, std::size_t& bytes, std::string& error) {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_read(ssl, buffer, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  if (rc > 0) {
    bytes = static_cast<std::size_t>(rc);
    return IoStatus::Ok;
  }
  bytes = 0;
  return status_of(ssl, rc, "read", error);
}

IoStatus TlsLayer::write(SSL* ssl, const char* data, std::size_t size, std::size_t& bytes, std::string& error) {
  ERR_clear_error();
  errno = 0;
  const int rc = SSL_write(ssl, data, static_cast<int>(std::min<std::size_t>(size, INT_MAX)));
  if (rc > 0) {
    bytes = static_cast<std::size_t>(rc);
    return IoStatus::Ok;
  }
  bytes = 0;
  const IoStatus status = status_of(ssl, rc, "send", error);
  if (status == IoStatus::Eof) {
    error = "send: connection closed";
    return IoStatus::Failed;
  }
  return status;
}

bool TlsLayer::has_buffered(SSL* ssl) { return SSL_pending(ssl) > 0 || SSL_has_pending(ssl) == 1; }

}  // namespace callhook::delivery
