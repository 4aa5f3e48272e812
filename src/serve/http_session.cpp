#include "serve/http_session.hpp"

#include <openssl/ssl.h>

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <optional>
#include <type_traits>

namespace callhook::serve {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// The largest request head (request line and headers).
constexpr std::uint32_t k_header_limit = 16 * 1024;
// After a refusal whose body was not read, what is drained (so the client
// reads the answer rather than a reset) before the connection closes.
constexpr std::size_t k_drain_bytes = 256 * 1024;
constexpr std::chrono::milliseconds k_drain_time{1000};

bool is_disconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == http::error::partial_message || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
         ec == asio::ssl::error::stream_truncated;
}

// The answer to a request that could not be parsed.
ApiResponse parse_error(const error_code& ec) {
  if (ec == http::error::body_limit) return error_response(413, "request body is over the limit (--max-body)");
  if (ec == http::error::header_limit) return error_response(431, "request head is over 16 KiB");
  return error_response(400, "malformed request: " + ec.message());
}

template <class Stream>
class Session final : public Exchange {
 public:
  static constexpr bool k_tls = std::is_same_v<Stream, TlsStream>;

  template <class... Args>
  Session(const std::shared_ptr<ServerCore>& core, tcp::socket socket, Args&... args)
      : Exchange(core, socket.get_executor()), m_stream(std::move(socket), args...), m_timer(m_executor) {
    ++m_core->connections;
  }
  ~Session() override {
    set_busy(false);
    --m_core->connections;
  }

  void run(bool over_cap) {
    if constexpr (k_tls) {
      lowest().expires_after(m_core->limits.header_timeout);
      m_stream.async_handshake(asio::ssl::stream_base::server, [self = shared(), over_cap](const error_code& ec) {
        if (!ec) self->start(over_cap);
      });
    } else {
      start(over_cap);
    }
  }

  void stream(ApiResponse head, std::chrono::milliseconds interval, std::function<Chunk(bool)> next) override {
    if (answered()) return;
    mark_answered();
    std::string text = "HTTP/1.1 200 OK\r\nContent-Type: " + head.content_type +
                       "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n";
    for (const auto& [name, value] : head.headers) text += name + ": " + value + "\r\n";
    if (!m_origin.empty()) text += "Access-Control-Allow-Origin: " + m_origin + "\r\nVary: Origin\r\n";
    text += "\r\n";
    m_next = std::move(next);
    m_interval = interval;
    write_raw(std::move(text), [](Session& self) { self.stream_step(); });
  }

 private:
  std::shared_ptr<Session> shared() { return std::static_pointer_cast<Session>(shared_from_this()); }
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(m_stream); }

  void start(bool over_cap) {
    if (!over_cap) return read_next();
    begin_request();
    ApiResponse busy = error_response(503, "the server holds --max-connections connections already; try again shortly");
    busy.headers.emplace_back("Retry-After", "1");
    busy.close = true;
    respond(std::move(busy));
  }

  void read_next() {
    begin_request();
    m_origin.clear();
    m_parser.emplace();
    m_parser->header_limit(k_header_limit);
    m_parser->body_limit(static_cast<std::uint64_t>(m_core->limits.max_body));
    bool buffered = m_buffer.size() > 0;
    if constexpr (k_tls) buffered = buffered || SSL_pending(m_stream.native_handle()) > 0;
    if (m_served == 0 || buffered) return read_header();
    // Between requests: wait for the next byte for the idle time only.
    m_timer.expires_after(m_core->limits.idle_timeout);
    m_timer.async_wait([weak = weak_from_this(), this](const error_code& ec) {
      if (ec || weak.expired()) return;
      error_code ignored;
      lowest().socket().cancel(ignored);
    });
    lowest().socket().async_wait(tcp::socket::wait_read, [self = shared()](const error_code& ec) {
      self->m_timer.cancel();
      if (ec) return self->close();
      self->read_header();
    });
  }

  void read_header() {
    lowest().expires_after(m_core->limits.header_timeout);
    http::async_read_header(m_stream, m_buffer, *m_parser,
                            [self = shared()](const error_code& ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(const error_code& ec) {
    lowest().expires_never();
    if (ec && is_disconnect(ec)) return close();
    set_busy(true);
    if (ec) return refuse(parse_error(ec));
    const auto& head = m_parser->get();
    m_version = head.version();
    m_keep_alive = head.keep_alive();
    m_request = ApiRequest();
    m_request.message.base() = head.base();
    if (head.method() == http::verb::unknown)
      return refuse(error_response(501, "method " + std::string(head.method_string()) + " is not implemented"));
    const std::string_view target(head.target().data(), head.target().size());
    if (!parse_target(target, m_request.path, m_request.query))
      return refuse(error_response(400, "malformed request target (a bad percent escape)"));
    if (auto refusal = refuse_caller(m_core->rules, m_request)) return refuse(std::move(*refusal));
    // Past refuse_caller an Origin is an allowed one: its answers may be read by its pages.
    m_origin = m_request.header("Origin");
    auto match = m_core->router.match(head.method(), m_request.path);
    if (match.allow.empty()) return refuse(error_response(404, "no such route: " + m_request.path));
    if (head.method() == http::verb::options) return refuse(preflight(match.allow));
    if (!match.handler) {
      ApiResponse refusal =
          error_response(405, "method " + std::string(head.method_string()) + " is not allowed on " + m_request.path);
      refusal.headers.emplace_back("Allow", match.allow);
      return refuse(std::move(refusal));
    }
    if (auto refusal = refuse_content_type(m_request)) return refuse(std::move(*refusal));
    if (const auto length = m_parser->content_length(); length && *length > m_core->limits.max_body)
      return refuse(error_response(413, "request body of " + std::to_string(*length) + " bytes is over the limit of " +
                                            std::to_string(m_core->limits.max_body) + " (--max-body)"));
    m_handler = match.handler;
    m_request.captures = std::move(match.captures);
    if (m_parser->is_done()) return dispatch();
    const auto expect = head.find(http::field::expect);
    if (expect != head.end() && beast::iequals(expect->value(), "100-continue"))
      return write_raw("HTTP/1.1 100 Continue\r\n\r\n", [](Session& self) { self.read_body(); });
    read_body();
  }

  // OPTIONS: the path's methods, and for an allowed Origin what a browser's
  // preflight needs to send its JSON POST with a token.
  ApiResponse preflight(const std::string& allow) const {
    ApiResponse answer;
    answer.status = 204;
    answer.headers.emplace_back("Allow", allow);
    if (!m_origin.empty()) {
      answer.headers.emplace_back("Access-Control-Allow-Methods", allow);
      answer.headers.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, Last-Event-ID");
      answer.headers.emplace_back("Access-Control-Max-Age", "600");
    }
    return answer;
  }

  void read_body() {
    lowest().expires_after(m_core->limits.body_timeout);
    http::async_read(m_stream, m_buffer, *m_parser,
                     [self = shared()](const error_code& ec, std::size_t) { self->on_body(ec); });
  }

  void on_body(const error_code& ec) {
    lowest().expires_never();
    if (ec == http::error::body_limit)
      return refuse(error_response(
          413, "request body is over the limit of " + std::to_string(m_core->limits.max_body) + " bytes (--max-body)"));
    if (ec && is_disconnect(ec)) return close();
    if (ec) return refuse(parse_error(ec));
    dispatch();
  }

  void dispatch() {
    m_request.message.body() = std::move(m_parser->get().body());
    try {
      (*m_handler)(m_request, shared_from_this());
    } catch (const std::exception& e) {
      respond(error_response(500, std::string("internal error: ") + e.what()));
    }
  }

  // An answer before the body was read: the connection cannot carry another request.
  void refuse(ApiResponse response) {
    if (!m_parser || !m_parser->is_done()) response.close = true;
    respond(std::move(response));
  }

  void write_response(ApiResponse answer) override {
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(answer.status),
                                                                       m_version == 10 ? 10 : 11);
    message->set(http::field::server, "callhook");
    if (answer.status != 204) message->set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) message->set(name, value);
    if (!m_origin.empty()) {
      message->set(http::field::access_control_allow_origin, m_origin);
      message->set(http::field::vary, "Origin");
    }
    message->body() = std::move(answer.body);
    message->keep_alive(m_keep_alive && !answer.close && !stopping());
    message->prepare_payload();
    lowest().expires_after(m_core->limits.write_timeout);
    http::async_write(m_stream, *message, [self = shared(), message](const error_code& ec, std::size_t) {
      self->lowest().expires_never();
      self->set_busy(false);
      if (ec) return self->close();
      if (!message->keep_alive()) return self->close(!self->m_parser || !self->m_parser->is_done());
      ++self->m_served;
      self->read_next();
    });
  }

  void write_raw(std::string text, void (*then)(Session&)) {
    auto data = std::make_shared<std::string>(std::move(text));
    lowest().expires_after(m_core->limits.write_timeout);
    asio::async_write(m_stream, asio::buffer(*data), [self = shared(), data, then](const error_code& ec, std::size_t) {
      self->lowest().expires_never();
      if (ec) return self->close();
      then(*self);
    });
  }

  void stream_step() {
    Chunk chunk;
    try {
      chunk = m_next(stopping());
    } catch (const std::exception&) {
      chunk.last = true;
    }
    std::string out;
    if (!chunk.text.empty()) {
      char size[32];
      std::snprintf(size, sizeof(size), "%zx\r\n", chunk.text.size());
      out.append(size).append(chunk.text).append("\r\n");
    }
    if (chunk.last) out += "0\r\n\r\n";
    if (out.empty()) return stream_later();
    if (chunk.last) return write_raw(std::move(out), [](Session& self) { self.close(); });
    write_raw(std::move(out), [](Session& self) { self.stream_later(); });
  }

  void stream_later() {
    m_timer.expires_after(m_interval);
    m_timer.async_wait([self = shared()](const error_code&) { self->stream_step(); });
  }

  // Closes the connection; `drain` first reads (and drops) what the client
  // still sends, for a while, so it sees the answer rather than a reset.
  void close(bool drain = false) {
    set_busy(false);
    if (m_closed) return;
    m_closed = true;
    error_code ignored;
    if constexpr (k_tls) {
      lowest().expires_after(std::chrono::seconds(1));
      m_stream.async_shutdown([self = shared()](const error_code&) {
        error_code ignore;
        self->lowest().socket().close(ignore);
      });
      return;
    }
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    if (!drain) {
      lowest().socket().close(ignored);
      return;
    }
    m_drained = 0;
    lowest().expires_after(k_drain_time);
    drain_more();
  }

  void drain_more() {
    auto scratch = std::make_shared<std::array<char, 16384>>();
    lowest().async_read_some(asio::buffer(*scratch), [self = shared(), scratch](const error_code& ec, std::size_t got) {
      self->m_drained += got;
      if (ec || self->m_drained >= k_drain_bytes) {
        error_code ignored;
        self->lowest().socket().close(ignored);
        return;
      }
      self->drain_more();
    });
  }

  void set_busy(bool busy) {
    if (busy == m_busy) return;
    m_busy = busy;
    if (busy)
      ++m_core->busy;
    else
      --m_core->busy;
  }

  Stream m_stream;
  bool m_busy = false;
  asio::steady_timer m_timer;  // the idle wait between requests; a stream's interval
  beast::flat_buffer m_buffer;
  std::optional<http::request_parser<http::string_body>> m_parser;
  ApiRequest m_request;
  const Handler* m_handler = nullptr;
  std::string m_origin;  // the request's allowed Origin, "" without one
  unsigned m_version = 11;
  bool m_keep_alive = false;
  bool m_closed = false;
  std::size_t m_served = 0;
  std::size_t m_drained = 0;
  std::function<Chunk(bool)> m_next;
  std::chrono::milliseconds m_interval{50};
};

}  // namespace

void serve_connection(tcp::socket socket, const std::shared_ptr<ServerCore>& core, asio::ssl::context* tls,
                      bool over_cap) {
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  if (tls) {
    std::make_shared<Session<TlsStream>>(core, std::move(socket), *tls)->run(over_cap);
  } else {
    std::make_shared<Session<PlainStream>>(core, std::move(socket))->run(over_cap);
  }
}

}  // namespace callhook::serve
