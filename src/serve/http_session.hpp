#pragma once
// One client connection on the io thread: the TLS handshake if any, the
// head read under a deadline, the checks and the route chosen before the
// body is read, the body read under a deadline and --max-body (chunked or
// not), the answer written, then the next request of a kept-alive
// connection after an idle wait. No step blocks or holds a thread.
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <memory>

#include "serve/http_exchange.hpp"

namespace callhook::serve {

// Serves an accepted connection until it closes. `tls` is nullptr for plain
// HTTP; `over_cap` answers 503 at once and closes.
void serve_connection(boost::asio::ip::tcp::socket socket, const std::shared_ptr<ServerCore>& core,
                      boost::asio::ssl::context* tls, bool over_cap);

}  // namespace callhook::serve
