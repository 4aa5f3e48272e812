#pragma once
// The one place network code hides behind. The engine submits requests and
// polls for results; the real transport does HTTP(S) on sockets, FakeTransport
// answers from a script on a ManualClock in unit tests.
#include <cstdint>
#include <string>
#include <vector>

#include "util/header.hpp"
#include "util/url.hpp"

namespace callhook::delivery {

struct HttpRequest {
  std::uint64_t id = 0;  // the caller's token, returned in the result
  util::Url url;
  std::string method = "POST";
  util::Headers headers;  // Host, Content-Length and Connection are added by the transport
  std::string body;
  std::int64_t timeout_ms = 10000;         // whole response, from the first byte sent
  std::int64_t connect_timeout_ms = 5000;  // TCP connect and TLS handshake
  bool record_headers = false;             // fill HttpResult::sent_headers (costs a copy per request)
};

enum class ErrorKind { None, Connect, Timeout, Closed, Tls, Protocol };
const char* error_name(ErrorKind kind);  // "connect", "timeout", ...

// A try that reached the wire on a reused keep-alive connection, which
// closed before any answer byte; the transport sent the request again on a
// fresh connection (the receiver may have seen both).
struct LostTry {
  std::int64_t started_us = 0;  // clock time its first byte was sent
  std::int64_t latency_us = 0;  // until the close was seen
  ErrorKind error = ErrorKind::Closed;
  std::string error_text;
};

struct HttpResult {
  std::uint64_t id = 0;
  ErrorKind error = ErrorKind::None;
  std::string error_text;
  int status = 0;
  std::string retry_after;      // the Retry-After header, "" when absent
  std::string body;             // at most 64 KiB
  std::int64_t started_us = 0;  // clock time this try was first sent (submitted, if never sent)
  std::int64_t latency_us = 0;  // from started_us to the end of the answer
  std::vector<LostTry> lost;    // earlier tries of this request lost on stale connections, in order
  util::Headers sent_headers;   // every header as written, in order (only when record_headers)
  // The request's body, handed back: a caller that may send it again (a
  // retry) moves it into the request and back, rather than copying it for
  // every attempt.
  std::string request_body;
  util::Headers request_headers;  // the request's headers, handed back the same way, for their storage
};

class Transport {
 public:
  virtual ~Transport() = default;
  virtual void submit(HttpRequest request) = 0;
  // Appends finished requests to `done`, waiting at most `wait_us` for the
  // first one (0: only what is ready). Returns early when one finishes.
  virtual void poll(std::vector<HttpResult>& done, std::int64_t wait_us) = 0;
  virtual std::size_t in_flight() const = 0;
};

}  // namespace callhook::delivery
