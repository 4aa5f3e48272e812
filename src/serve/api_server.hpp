#pragma once
// The HTTP control API of `callhook serve` (docs/api.md, docs/openapi.yaml):
// runs created, watched, reported and cancelled over HTTP; single events
// triggered; the vendor catalog and samples. The HTTP machinery (one io
// thread, a worker pool, the checks made before a route) is http_server's.
#include <memory>
#include <string>

#include "serve/serve_options.hpp"

namespace callhook::serve {

class ApiServer {
 public:
  explicit ApiServer(ServeOptions options);
  // Stops serving, stops every run and removes the journals.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  struct Bound {
    std::string address;  // the address bound, numeric
    int port = 0;
    bool loopback = false;  // only this machine can reach it
  };
  // Binds and serves on its own threads; returns what it bound. Throws
  // std::runtime_error when the address cannot be bound.
  Bound start();
  // Stops accepting, ends waits and streams (with their end event), cancels
  // every run at once and closes every connection.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace callhook::serve
