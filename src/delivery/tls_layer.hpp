#pragma once
// TLS as a layer on a connection of the transport: OpenSSL over the
// connection's own non-blocking socket. Every call returns at once; a call
// that needs the socket readable or writable says so, and the event loop
// calls it again when epoll reports that. The only place OpenSSL is used.
#include <cstddef>
#include <string>

#include <openssl/types.h>

// As <openssl/ssl.h> and <openssl/bio.h> declare them.
typedef struct ssl_session_st SSL_SESSION;
typedef struct bio_method_st BIO_METHOD;

namespace callhook::delivery {

// What a TLS (or plain socket) operation needs next.
enum class IoStatus {
  Ok,         // done; for reads and writes, `bytes` says how many
  WantRead,   // call again when the socket is readable
  WantWrite,  // call again when the socket is writable
  Eof,        // the peer closed the connection
  Failed,     // a socket error (text in `error`)
  TlsFailed,  // a TLS protocol or certificate error (text in `error`)
};

// The session to resume on an origin's next connection; new sessions
// (TLS 1.3 sends them after the handshake) replace it as they arrive.
class TlsSessionSlot {
 public:
  TlsSessionSlot() = default;
  ~TlsSessionSlot();
  TlsSessionSlot(const TlsSessionSlot&) = delete;
  TlsSessionSlot& operator=(const TlsSessionSlot&) = delete;

  SSL_SESSION* get() const { return m_session; }
  void replace(SSL_SESSION* session);  // takes over the reference

 private:
  SSL_SESSION* m_session = nullptr;
};

class TlsLayer {
 public:
  // Certificate and host name checks against the default trust store, unless `insecure`.
  explicit TlsLayer(bool insecure);
  ~TlsLayer();
  TlsLayer(const TlsLayer&) = delete;
  TlsLayer& operator=(const TlsLayer&) = delete;

  // A client TLS state on the connected socket `fd` for `host` (SNI and
  // verification), resuming the slot's session and keeping new ones there.
  // The slot must outlive the returned state. nullptr (and `error`) on failure.
  SSL* open(int fd, const std::string& host, TlsSessionSlot& slot, std::string& error) const;
  static void close(SSL* ssl);

  static IoStatus handshake(SSL* ssl, std::string& error);
  static IoStatus read(SSL* ssl, char* buffer, std::size_t size, std::size_t& bytes, std::string& error);
  static IoStatus write(SSL* ssl, const char* data, std::size_t size, std::size_t& bytes, std::string& error);
  // Decrypted or received bytes OpenSSL holds that epoll cannot report.
  static bool has_buffered(SSL* ssl);

 private:
  SSL_CTX* m_context = nullptr;
  BIO_METHOD* m_socket_method = nullptr;
  bool m_verify = true;
};

}  // namespace callhook::delivery
