#include "sink/forward.hpp"

#include <chrono>
#include <stdexcept>

#include <httplib.h>

#include "util/text.hpp"
#include "util/url.hpp"

namespace callhook::sink {

bool is_hop_by_hop(std::string_view name) {
  for (const std::string_view hop :
       {"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
        "Transfer-Encoding", "Upgrade", "Host", "Content-Length"})
    if (util::iequals(name, hop)) return true;
  return false;
}

struct Forwarder::Impl {
  util::Url url;
  std::string base_path;  // the URL's path without a trailing '/'
  std::string base_query;
  std::int64_t timeout_ms = 0;
};

Forwarder::Forwarder(const std::string& url, std::int64_t timeout_ms) : m_impl(std::make_unique<Impl>()) {
  auto parsed = util::parse_url(url);
  if (!parsed) throw std::invalid_argument("expected an http:// URL, got \"" + url + "\"");
  if (parsed->scheme != "http")
    throw std::invalid_argument("forwards over http:// only (put the receiver's local http address), got \"" + url +
                                "\"");
  m_impl->url = *parsed;
  const auto question = parsed->target.find('?');
  m_impl->base_path = parsed->target.substr(0, question);
  if (question != std::string::npos) m_impl->base_query = parsed->target.substr(question + 1);
  while (!m_impl->base_path.empty() && m_impl->base_path.back() == '/') m_impl->base_path.pop_back();
  m_impl->timeout_ms = timeout_ms;
}

Forwarder::~Forwarder() = default;

std::string Forwarder::url_for(const std::string& path, const std::string& query) const {
  std::string target = m_impl->base_path + (path.empty() ? "/" : path);
  std::string joined = m_impl->base_query;
  if (!query.empty()) joined += (joined.empty() ? "" : "&") + query;
  if (!joined.empty()) target += "?" + joined;
  return target;
}

ForwardResult Forwarder::forward(const HttpRequest& request) const {
  const Impl& impl = *m_impl;
  // One client per request: the sink serves senders on several threads and a
  // client is not shared between them.
  httplib::Client client(impl.url.host, impl.url.port);
  const auto timeout = std::chrono::milliseconds(impl.timeout_ms);
  client.set_connection_timeout(timeout);
  client.set_read_timeout(timeout);
  client.set_write_timeout(timeout);
  client.set_keep_alive(false);
  client.set_decompress(false);  // the body goes back as the receiver sent it, and no Accept-Encoding is added

  httplib::Request req;
  req.method = request.method;
  req.path = url_for(request.raw_path.empty() ? request.path : request.raw_path, request.query);
  for (const auto& h : request.headers)
    if (!is_hop_by_hop(h.name)) req.headers.emplace(h.name, h.value);
  req.body = request.body;

  ForwardResult out;
  const auto start = std::chrono::steady_clock::now();
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  const bool sent = client.send(req, res, error);
  out.latency_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  if (!sent) {
    out.error = httplib::to_string(error);
    return out;
  }
  out.status = res.status;
  for (const auto& [name, value] : res.headers)
    if (!is_hop_by_hop(name)) out.headers.push_back({name, value});
  out.body = std::move(res.body);
  return out;
}

}  // namespace callhook::sink
