// https:// through the same event loop as http://, against a cpp-httplib TLS
// server with a self-signed certificate made here in memory.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "delivery/make_transport.hpp"
#include "test_receivers.hpp"

using callhook::delivery::ErrorKind;
using callhook::delivery::HttpRequest;
using callhook::delivery::HttpResult;
using callhook::delivery::make_transport;
using callhook::delivery::TransportOptions;
using namespace std::chrono_literals;

namespace {

std::vector<HttpResult> wait_for(callhook::delivery::Transport& transport, std::size_t count) {
  std::vector<HttpResult> done;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (done.size() < count && std::chrono::steady_clock::now() < give_up) transport.poll(done, 50'000);
  return done;
}

}  // namespace

TEST_CASE("https answers arrive through poll and certificates are checked unless told not to", "[delivery][tls]") {
  auto [key, cert] = callhook::test::self_signed();
  REQUIRE(key);
  REQUIRE(cert);
  httplib::SSLServer server(cert.get(), key.get());
  REQUIRE(server.is_valid());
  server.new_task_queue = [] { return new httplib::ThreadPool(16); };
  server.set_keep_alive_max_count(100000);
  server.Post("/hook", [](const httplib::Request& req, httplib::Response& res) {
    res.status = req.body == "retry me" ? 503 : 200;
    if (res.status == 503) res.set_header("Retry-After", "3");
    res.set_content("tls:" + req.body + ":" + req.get_header_value("X-Vendor"), "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { server.listen_after_bind(); });
  const auto give_up = std::chrono::steady_clock::now() + 5s;
  while (!server.is_running() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
  REQUIRE(server.is_running());

  const auto url = *callhook::util::parse_url("https://127.0.0.1:" + std::to_string(port) + "/hook");
  auto request = [&](std::uint64_t id, std::string body) {
    HttpRequest out;
    out.id = id;
    out.url = url;
    out.headers = {{"X-Vendor", "fone"}, {"Content-Type", "text/plain"}};
    out.body = std::move(body);
    return out;
  };
  callhook::util::SystemClock clock;

  SECTION("insecure: answers arrive through poll") {
    TransportOptions options;
    options.insecure = true;
    options.connections_per_origin = 4;
    auto transport = make_transport(options, clock);
    for (std::uint64_t i = 0; i < 20; ++i) transport->submit(request(i, i == 7 ? "retry me" : std::to_string(i)));
    CHECK(transport->in_flight() == 20);
    const auto done = wait_for(*transport, 20);
    REQUIRE(done.size() == 20);
    std::set<std::uint64_t> ids;
    for (const auto& result : done) {
      INFO("id " << result.id << ": " << result.error_text);
      ids.insert(result.id);
      CHECK(result.error == ErrorKind::None);
      if (result.id == 7) {
        CHECK(result.status == 503);
        CHECK(result.retry_after == "3");
      } else {
        CHECK(result.status == 200);
        CHECK(result.body == "tls:" + std::to_string(result.id) + ":fone");
      }
    }
    CHECK(ids.size() == 20);
    CHECK(transport->in_flight() == 0);
  }
  SECTION("verified: a self-signed certificate is a TLS error") {
    auto transport = make_transport(TransportOptions{}, clock);
    transport->submit(request(1, "x"));
    const auto done = wait_for(*transport, 1);
    REQUIRE(done.size() == 1);
    INFO(done[0].error_text);
    CHECK(done[0].error == ErrorKind::Tls);
    CHECK(done[0].status == 0);
  }

  server.stop();
  thread.join();
}
