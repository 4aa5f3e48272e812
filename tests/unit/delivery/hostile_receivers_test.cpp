// The real transport against receivers that misbehave on purpose, each case
// over http and over https (the same connection code, TLS layered on it).
// The bounds on how long a case may take are hang checks: a deadline must
// fire even while a receiver floods or trickles.
#include <catch2/catch.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "delivery/make_transport.hpp"
#include "test_receivers.hpp"

using callhook::delivery::ErrorKind;
using callhook::delivery::HttpRequest;
using callhook::delivery::HttpResult;
using callhook::delivery::make_transport;
using callhook::delivery::Transport;
using callhook::delivery::TransportOptions;
using callhook::test::HostileServer;
using callhook::test::one;
using callhook::test::Peer;
using callhook::test::wait_for;
using namespace std::chrono_literals;

namespace {

HttpRequest post(const std::string& url, std::uint64_t id, std::int64_t timeout_ms = 2000, std::string body = "{}") {
  HttpRequest request;
  request.id = id;
  request.url = *callhook::util::parse_url(url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  request.timeout_ms = timeout_ms;
  return request;
}

std::unique_ptr<Transport> insecure_transport(const callhook::util::Clock& clock) {
  TransportOptions options;
  options.insecure = true;
  return make_transport(options, clock);
}

// Sends until the client goes away or `limit` pieces went out.
void flood(Peer& peer, const std::string& piece, int limit = 200'000) {
  for (int i = 0; i < limit && !peer.stopping(); ++i) {
    if (!peer.send(piece)) return;
  }
}

const char* scheme(bool tls) { return tls ? "https" : "http"; }

}  // namespace

TEST_CASE("a chunked flood runs into the deadline while other connections progress", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  // One-byte chunks in megabyte sends: the most parsing work per byte a
  // server can ask of the client, as fast as the server can write.
  std::string tiny_chunks;
  while (tiny_chunks.size() < (1 << 20)) tiny_chunks += "1\r\nf\r\n";
  HostileServer flooding(tls, [&](Peer& peer, int) {
    if (!peer.read_request()) return;
    if (!peer.send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")) return;
    flood(peer, tiny_chunks, 400);
  });
  HostileServer calm(tls, [](Peer& peer, int) {
    while (peer.read_request()) peer.send(HostileServer::ok("calm"));
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const auto start = std::chrono::steady_clock::now();
  transport->submit(post(flooding.url(), 1, 600));
  std::vector<HttpResult> done;
  transport->poll(done, 100'000);  // the flood is under way
  REQUIRE(done.empty());
  transport->submit(post(calm.url(), 2));
  done = wait_for(*transport, 2);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE(done.size() == 2);
  CHECK(done[0].id == 2);  // answered while the flood went on
  CHECK(done[0].status == 200);
  CHECK(done[0].body == "calm");
  CHECK(done[1].id == 1);
  CHECK(done[1].error == ErrorKind::Timeout);
  CHECK(took < 600ms + 1s);
}

TEST_CASE("a flood of 100 Continue ends as a protocol error", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (peer.read_request()) flood(peer, "HTTP/1.1 100 Continue\r\n\r\n");
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = one(*transport, post(server.url(), 1, 600));
  CHECK(result.error == ErrorKind::Protocol);
  CHECK(result.error_text.find("interim") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < 600ms + 1s);
}

TEST_CASE("a body trickled a byte at a time runs into the whole-response deadline", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (!peer.read_request()) return;
    if (!peer.send("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")) return;
    peer.trickle(std::string(1000, 't'), 50ms);
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const HttpResult result = one(*transport, post(server.url(), 1, 400));
  CHECK(result.error == ErrorKind::Timeout);
  CHECK(result.latency_us >= 400'000);
  CHECK(result.latency_us < 1'400'000);
}

TEST_CASE("a short answer trickled past the deadline is a timeout, not a slow answer", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (peer.read_request()) peer.trickle(HostileServer::ok("ok"), 25ms);  // 40 bytes over a second
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const auto start = std::chrono::steady_clock::now();
  const HttpResult result = one(*transport, post(server.url(), 1, 300));
  CHECK(result.error == ErrorKind::Timeout);
  CHECK(result.status == 0);
  CHECK(std::chrono::steady_clock::now() - start < 300ms + 1s);
}

TEST_CASE("a reset in the middle of an answer is a closed connection", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (!peer.read_request() || !peer.send("HTTP/1.1 200 OK\r\nContent-Le")) return;
    std::this_thread::sleep_for(20ms);
    peer.reset();
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const HttpResult result = one(*transport, post(server.url(), 1));
  CHECK(result.error == ErrorKind::Closed);
  CHECK(result.lost.empty());
  CHECK(server.requests() == 1);
}

TEST_CASE("bytes that are not HTTP, then the close, are a protocol error", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (peer.read_request()) peer.send("garbage without a line end");
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const HttpResult result = one(*transport, post(server.url(), 1));
  CHECK(result.error == ErrorKind::Protocol);
}

TEST_CASE("a kept-alive connection closed before answering: the re-send is reported, not charged",
          "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  callhook::util::SystemClock clock;

  SECTION("the receiver reads the request, then closes") {
    HostileServer server(tls, [](Peer& peer, int connection) {
      if (!peer.read_request() || !peer.send(HostileServer::ok("first"))) return;
      if (connection == 0) {
        peer.read_request();  // and close without a byte
        return;
      }
    });
    auto transport = insecure_transport(clock);
    const HttpResult first = one(*transport, post(server.url(), 1));
    CHECK(first.body == "first");
    CHECK(first.lost.empty());
    const HttpResult second = one(*transport, post(server.url(), 2));
    INFO(second.error_text);
    CHECK(second.error == ErrorKind::None);  // delivered without a second attempt of the caller's
    CHECK(second.status == 200);
    REQUIRE(second.lost.size() == 1);
    CHECK(second.lost[0].error == ErrorKind::Closed);
    CHECK(second.lost[0].started_us >= first.started_us);
    CHECK(second.lost[0].started_us <= second.started_us);
    // What the receiver saw and what the caller learns agree: three requests.
    CHECK(server.requests() == 3);
    CHECK(server.connections() == 2);
    if (tls) CHECK(server.resumed() == 1);  // the fresh connection resumed the TLS session
  }
  SECTION("the receiver closes right after its first answer") {
    HostileServer server(tls, [](Peer& peer, int) {
      if (peer.read_request()) peer.send(HostileServer::ok("answer"));
    });
    auto transport = insecure_transport(clock);
    CHECK(one(*transport, post(server.url(), 1)).status == 200);
    const HttpResult second = one(*transport, post(server.url(), 2));  // no poll in between
    INFO(second.error_text);
    CHECK(second.error == ErrorKind::None);
    CHECK(second.status == 200);
    CHECK(second.lost.size() <= 1);
    CHECK(server.requests() == 2);
  }
}

TEST_CASE("bytes after a Content-Length: 0 answer retire the connection", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int connection) {
    while (peer.read_request()) {
      if (connection == 0) {
        peer.send("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nHTTP/1.1 500 Junk\r\nContent-Length: 0\r\n\r\n");
      } else {
        peer.send(HostileServer::ok("clean"));
      }
    }
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const HttpResult first = one(*transport, post(server.url(), 1));
  CHECK(first.status == 200);
  CHECK(first.body.empty());
  for (std::uint64_t id = 2; id <= 3; ++id) {
    const HttpResult next = one(*transport, post(server.url(), id));
    INFO(next.error_text);
    CHECK(next.error == ErrorKind::None);
    CHECK(next.status == 200);
    CHECK(next.body == "clean");
  }
  CHECK(server.connections() == 2);
}

TEST_CASE("an early answer and close during a large request body is taken", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    if (!peer.read_head()) return;
    peer.send("HTTP/1.1 413 Content Too Large\r\nContent-Length: 8\r\nConnection: close\r\n\r\ntoo big!");
    std::this_thread::sleep_for(50ms);  // then close with the body unread: a reset
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  const HttpResult result = one(*transport, post(server.url(), 1, 5000, std::string(8 * 1024 * 1024, 'b')));
  INFO(result.error_text);
  CHECK(result.error == ErrorKind::None);
  CHECK(result.status == 413);
  CHECK(result.body == "too big!");
}

TEST_CASE("chunked answers with trailers keep the connection", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  HostileServer server(tls, [](Peer& peer, int) {
    while (peer.read_request()) {
      peer.send(
          "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Digest\r\n\r\n"
          "5\r\nhello\r\n6\r\n world\r\n0\r\nX-Digest: abc\r\nX-Other: 1\r\n\r\n");
    }
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    const HttpResult result = one(*transport, post(server.url(), id));
    INFO(result.error_text);
    CHECK(result.error == ErrorKind::None);
    CHECK(result.body == "hello world");
  }
  CHECK(server.connections() == 1);
}

TEST_CASE("the headers as written are recorded in order when asked", "[delivery][hostile]") {
  const bool tls = GENERATE(false, true);
  INFO(scheme(tls));
  std::mutex mutex;
  std::vector<std::string> heads;
  HostileServer server(tls, [&](Peer& peer, int) {
    while (peer.read_request()) {
      {
        std::lock_guard lock(mutex);
        heads.push_back(peer.head());
      }
      peer.send(HostileServer::ok("ok"));
    }
  });
  callhook::util::SystemClock clock;
  auto transport = insecure_transport(clock);
  HttpRequest request = post(server.url(), 1);
  request.headers.push_back({"X-Signature", "t=1,v1=abc"});
  request.headers.push_back({"Content-Length", "999"});  // the transport's own value wins
  request.record_headers = true;
  const HttpResult recorded = one(*transport, std::move(request));
  const HttpResult plain = one(*transport, post(server.url(), 2));
  CHECK(plain.sent_headers.empty());

  std::string expected;
  for (const auto& header : recorded.sent_headers) expected += header.name + ": " + header.value + "\r\n";
  const std::string port = server.url().substr(server.url().rfind(':') + 1, 5);
  CHECK(expected == "Host: 127.0.0.1:" + port.substr(0, port.find('/')) +
                        "\r\nConnection: keep-alive\r\nContent-Type: application/json\r\nX-Signature: t=1,v1=abc\r\n"
                        "Content-Length: 2\r\n");
  std::lock_guard lock(mutex);
  REQUIRE(heads.size() == 2);
  const std::string& head = heads[0];
  CHECK(head.substr(head.find("\r\n") + 2) == expected + "\r\n");  // byte for byte what went out
}

TEST_CASE("https checks the certificate unless told not to", "[delivery][hostile][tls]") {
  HostileServer server(true, [](Peer& peer, int) {
    while (peer.read_request()) peer.send(HostileServer::ok("secret"));
  });
  callhook::util::SystemClock clock;
  auto verified = make_transport(TransportOptions{}, clock);
  for (const char* host : {"127.0.0.1", "localhost"}) {
    INFO(host);
    const HttpResult refused = one(*verified, post(server.url(host), 1));
    CHECK(refused.error == ErrorKind::Tls);
    CHECK(refused.error_text.find("certificate verify failed") != std::string::npos);
    CHECK(refused.status == 0);
  }
  CHECK(server.requests() == 0);
  auto insecure = insecure_transport(clock);
  const HttpResult accepted = one(*insecure, post(server.url("localhost"), 2));
  CHECK(accepted.body == "secret");
}
