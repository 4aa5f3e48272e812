#include "serve/http_server.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <stdexcept>

#include "serve/http_session.hpp"
#include "serve/worker_pool.hpp"

namespace callhook::serve {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// How long stop() lets answers go out before it closes the connections.
constexpr auto k_stop_grace = std::chrono::milliseconds(2000);

}  // namespace

struct HttpServer::Impl {
  std::shared_ptr<ServerCore> core;
  WorkerPool pool;
  WorkerPool remote_pool;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer retry{io};  // accepting again after a failure (no descriptors left)
  std::optional<asio::ssl::context> tls;
  std::thread thread;
  bool stopped = false;

  Impl(std::shared_ptr<ServerCore> c, PoolSize local, PoolSize remote)
      : core(std::move(c)), pool(local.threads, local.max_queued), remote_pool(remote.threads, remote.max_queued) {}

  void accept() {
    acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
      if (ec) {  // EMFILE and the like: try again shortly rather than spin
        retry.expires_after(std::chrono::milliseconds(50));
        retry.async_wait([this](const error_code& e) {
          if (!e) accept();
        });
        return;
      }
      const bool over_cap = core->connections.load() >= core->limits.max_connections;
      serve_connection(std::move(socket), core, tls ? &*tls : nullptr, over_cap);
      accept();
    });
  }
};

HttpServer::HttpServer(std::shared_ptr<ServerCore> core, PoolSize local, PoolSize remote)
    : m_impl(std::make_unique<Impl>(std::move(core), local, remote)) {}

HttpServer::~HttpServer() { stop(); }

tcp::endpoint HttpServer::start(const std::string& host, int port, const TlsFiles& tls) {
  auto& impl = *m_impl;
  if (!tls.cert.empty()) {
    impl.tls.emplace(asio::ssl::context::tls_server);
    impl.tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                          asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    error_code ec;
    impl.tls->use_certificate_chain_file(tls.cert, ec);
    if (ec) throw std::runtime_error("--tls-cert " + tls.cert + ": " + ec.message());
    impl.tls->use_private_key_file(tls.key, asio::ssl::context::pem, ec);
    if (ec) throw std::runtime_error("--tls-key " + tls.key + ": " + ec.message());
  }
  error_code ec;
  tcp::resolver resolver(impl.io);
  const auto found = resolver.resolve(host, std::to_string(port), tcp::resolver::passive, ec);
  if (ec || found.empty()) throw std::runtime_error("cannot resolve " + host + ": " + ec.message());
  const tcp::endpoint wanted = found.begin()->endpoint();
  impl.acceptor.open(wanted.protocol(), ec);
  if (!ec) impl.acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl.acceptor.bind(wanted, ec);
  if (!ec) impl.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw std::runtime_error("cannot listen on " + host + ":" + std::to_string(port) + " (" + ec.message() + ")");
  const tcp::endpoint bound = impl.acceptor.local_endpoint();
  impl.core->pool = &impl.pool;
  impl.core->remote_pool = &impl.remote_pool;
  impl.core->attach(&impl.io);
  impl.accept();
  impl.thread = std::thread([&impl] {
    for (;;) {
      try {
        impl.io.run();
        return;
      } catch (const std::exception&) {  // a handler's escape must not end the server
      }
    }
  });
  return bound;
}

void HttpServer::stop() {
  auto& impl = *m_impl;
  if (impl.stopped) return;
  impl.stopped = true;
  impl.core->stopping = true;
  if (impl.thread.joinable()) {
    asio::post(impl.io, [&impl] {
      error_code ignored;
      impl.acceptor.close(ignored);
      impl.retry.cancel();
    });
    // Waits, streams and offloaded requests answer within 50 ms of the flag;
    // their writes get the rest of the grace.
    const auto until = std::chrono::steady_clock::now() + k_stop_grace;
    while (impl.core->busy.load() > 0 && std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    impl.io.stop();
    impl.thread.join();
  }
  impl.core->attach(nullptr);
  impl.pool.shutdown(k_stop_grace);
  impl.remote_pool.shutdown(std::chrono::milliseconds(0));
}

}  // namespace callhook::serve
