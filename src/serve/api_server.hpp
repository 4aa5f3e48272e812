#pragma once
// The HTTP control API of `callhook serve` (docs/api.md, docs/openapi.yaml):
// runs created, watched, reported and cancelled over HTTP; single events
// triggered; the vendor catalog and samples. Bearer-token checks and body
// limits come before any route.
#include <memory>

#include "serve/serve_options.hpp"

namespace callhook::serve {

class ApiServer {
 public:
  explicit ApiServer(ServeOptions options);
  // Stops serving, stops every run and removes the journals.
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds and serves on its own threads; returns the bound port. Throws
  // std::runtime_error when the address cannot be bound.
  int start();
  // Stops accepting, ends streams, cancels every run at once and waits for them.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace callhook::serve
