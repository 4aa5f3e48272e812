#include "serve/serve_options.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace callhook::serve {

bool resolves_to_loopback(const std::string& host) {
  boost::asio::io_context io;
  boost::asio::ip::tcp::resolver resolver(io);
  boost::system::error_code ec;
  const auto found = resolver.resolve(host, "0", boost::asio::ip::tcp::resolver::passive, ec);
  if (ec || found.empty()) return false;
  for (const auto& entry : found)
    if (!entry.endpoint().address().is_loopback()) return false;
  return true;
}

}  // namespace callhook::serve
