#pragma once
// The listening side of `callhook serve`: one io thread owns every socket
// (accepts with the system's backlog, refuses past --max-connections with a
// 503), and two bounded worker pools take the work that may block. Routes,
// limits and checks come in a ServerCore.
#include <boost/asio/ip/tcp.hpp>
#include <memory>
#include <string>
#include <thread>

#include "serve/http_exchange.hpp"

namespace callhook::serve {

struct PoolSize {
  std::size_t threads = 0;
  std::size_t max_queued = 0;  // requests waiting for a thread; one more is 503
};

struct TlsFiles {
  std::string cert;  // PEM certificate chain; "" = plain HTTP
  std::string key;   // PEM private key
};

class HttpServer {
 public:
  // `local` and `remote`: the workers of Lane::local and Lane::remote.
  HttpServer(std::shared_ptr<ServerCore> core, PoolSize local, PoolSize remote);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds the first address `host` resolves to, listens and serves on its
  // own thread; returns the bound address. Throws std::runtime_error when
  // it cannot (name, port, certificate).
  boost::asio::ip::tcp::endpoint start(const std::string& host, int port, const TlsFiles& tls);
  // Stops accepting, gives waits, streams and workers' answers up to two
  // seconds to go out, then closes every connection.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace callhook::serve
