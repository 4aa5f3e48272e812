// https:// through the worker pool, against a cpp-httplib TLS server with a
// self-signed certificate made here in memory.
#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "delivery/make_transport.hpp"

using callhook::delivery::ErrorKind;
using callhook::delivery::HttpRequest;
using callhook::delivery::HttpResult;
using callhook::delivery::make_transport;
using callhook::delivery::TransportOptions;
using namespace std::chrono_literals;

namespace {

struct KeyFree {
  void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
struct CertFree {
  void operator()(X509* cert) const { X509_free(cert); }
};

// A P-256 key and a one-hour certificate for "localhost", signed by itself.
std::pair<std::unique_ptr<EVP_PKEY, KeyFree>, std::unique_ptr<X509, CertFree>> self_signed() {
  std::unique_ptr<EVP_PKEY, KeyFree> key(EVP_EC_gen("P-256"));
  std::unique_ptr<X509, CertFree> cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_sign(cert.get(), key.get(), EVP_sha256());
  return {std::move(key), std::move(cert)};
}

std::vector<HttpResult> wait_for(callhook::delivery::Transport& transport, std::size_t count) {
  std::vector<HttpResult> done;
  const auto give_up = std::chrono::steady_clock::now() + 20s;
  while (done.size() < count && std::chrono::steady_clock::now() < give_up) transport.poll(done, 50'000);
  return done;
}

}  // namespace

TEST_CASE("https goes through the worker pool and checks certificates unless told not to", "[delivery][tls]") {
  auto [key, cert] = self_signed();
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
    CHECK(done[0].error == ErrorKind::Tls);
    CHECK(done[0].status == 0);
  }

  server.stop();
  thread.join();
}
