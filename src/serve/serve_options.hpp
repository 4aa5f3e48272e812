#pragma once
// How `callhook serve` listens and what it allows.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "serve/run_policy.hpp"

namespace callhook::serve {

constexpr int k_default_port = 8700;

struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = k_default_port;               // 0 = any free port
  std::string token;                       // "" = no token asked (loopback only)
  std::size_t keep = 100;                  // finished runs kept, oldest removed first
  std::size_t max_runs = 8;                // runs in flight at once
  std::size_t max_body = 1 << 20;          // request body bytes
  std::size_t max_connections = 1024;      // open connections; more get 503
  std::vector<std::string> allow_origins;  // Origin values a request may carry
  std::vector<std::string> allow_hosts;    // Host names beside the listen address and loopback
  std::string tls_cert, tls_key;           // PEM files: HTTPS instead of HTTP
  std::string journal_dir;                 // where runs write their journals; "" = a new temporary directory
  RunPolicy policy;                        // limits of one run, targets runs and triggers may reach
};

// Whether every address `host` resolves to is a loopback one (a name that
// resolves to 0.0.0.0, or does not resolve, is not).
bool resolves_to_loopback(const std::string& host);

}  // namespace callhook::serve
