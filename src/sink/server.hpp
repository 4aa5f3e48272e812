#pragma once
// A loopback HTTP server that hands every request, whatever its method and
// path, to one function. It is the only place in sink/ that knows the HTTP
// library, so the sink and the recording server deal in plain structs.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "util/header.hpp"

namespace callhook::sink {

struct HttpRequest {
  std::string method;
  std::string path;       // percent-decoded, without the query
  std::string query;      // raw, without the '?'
  std::string raw_path;   // the path as sent, not decoded (what a proxy passes on)
  util::Headers headers;  // as sent, ordered by name (cpp-httplib keeps no arrival order)
  std::string body;
  int remote_port = 0;  // tells keep-alive connections apart

  // First value of a header (names compare case-insensitively), or "".
  std::string header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::string content_type;  // no Content-Type header when empty
  std::string body;
  util::Headers headers;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer();
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds host:port (0 = any free port), serves on `threads` worker threads
  // until stop(), and returns the bound port once the server accepts
  // connections. Throws std::runtime_error when the address cannot be bound.
  int start(const std::string& host, int port, std::size_t threads, HttpHandler handler);
  // Stops accepting, lets the answers in progress be written, closes idle
  // keep-alive connections and joins the threads.
  void stop();
  // Whether the accept loop runs.
  bool running() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// "http://HOST:PORT" for a bound address, with a wildcard host shown as the
// loopback address a client would use and IPv6 literals bracketed.
std::string origin_url(const std::string& host, int port);

}  // namespace callhook::sink
