#pragma once
// `callhook sink --forward URL`: each request the sink receives is sent on
// to the user's receiver as a proxy would (its path after the URL's path,
// its query, its headers but the hop-by-hop ones, its body unchanged), and
// the receiver's answer goes back to the sender.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "sink/server.hpp"
#include "util/header.hpp"

namespace callhook::sink {

// Whether a header belongs to one connection (RFC 9110 section 7.6.1:
// Connection, Keep-Alive, Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade)
// or is the framing the next hop writes again (Host, Content-Length), so a
// proxy does not pass it on.
bool is_hop_by_hop(std::string_view name);

// What the receiver answered, or why it could not be asked.
struct ForwardResult {
  int status = 0;  // 0 when the request failed
  util::Headers headers;
  std::string body;
  std::string error;  // "" or what failed ("connect: Connection refused", "timeout")
  std::int64_t latency_ms = 0;
};

class Forwarder {
 public:
  // Throws std::invalid_argument when `url` is not an http:// URL (https
  // needs a TLS client the sink does not carry).
  Forwarder(const std::string& url, std::int64_t timeout_ms);
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  // Sends `request` on; safe to call from several threads at once.
  ForwardResult forward(const HttpRequest& request) const;
  // The URL a request for `path` and `query` goes to.
  std::string url_for(const std::string& path, const std::string& query) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace callhook::sink
