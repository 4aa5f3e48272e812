#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "delivery/fake_transport.hpp"

using callhook::delivery::ErrorKind;
using callhook::delivery::FakeReply;
using callhook::delivery::FakeTransport;
using callhook::delivery::HttpRequest;
using callhook::delivery::HttpResult;
using callhook::util::ManualClock;

namespace {

HttpRequest request(std::uint64_t id, std::string body = "{}", std::int64_t timeout_ms = 10000) {
  HttpRequest out;
  out.id = id;
  out.url = *callhook::util::parse_url("http://127.0.0.1:9/hooks");
  out.body = std::move(body);
  out.timeout_ms = timeout_ms;
  return out;
}

// Latency in milliseconds is taken from the body, so each test scripts its own timing.
FakeReply by_body(const HttpRequest& req) {
  FakeReply reply;
  reply.latency_us = std::stoll(req.body) * 1000;
  reply.status = 200;
  reply.body = "ok " + std::to_string(req.id);
  return reply;
}

std::vector<std::uint64_t> ids(const std::vector<HttpResult>& results) {
  std::vector<std::uint64_t> out;
  for (const auto& r : results) out.push_back(r.id);
  return out;
}

}  // namespace

TEST_CASE("the fake records requests and completes them in virtual time", "[delivery][fake]") {
  ManualClock clock;
  clock.set_us(1'000'000);
  FakeTransport transport(clock, by_body);
  transport.submit(request(1, "30"));
  transport.submit(request(2, "10"));
  transport.submit(request(3, "10"));
  CHECK(transport.in_flight() == 3);
  REQUIRE(transport.requests().size() == 3);
  CHECK(transport.requests()[0].body == "30");
  CHECK(transport.submit_times() == std::vector<std::int64_t>{1'000'000, 1'000'000, 1'000'000});

  std::vector<HttpResult> done;
  transport.poll(done, 0);
  CHECK(done.empty());
  CHECK(clock.now_us() == 1'000'000);

  // Waiting stops at the first completion: both 10 ms requests, in submit order.
  transport.poll(done, 1'000'000);
  CHECK(clock.now_us() == 1'010'000);
  CHECK(ids(done) == std::vector<std::uint64_t>{2, 3});
  CHECK(done[0].status == 200);
  CHECK(done[0].body == "ok 2");
  CHECK(done[0].latency_us == 10'000);
  CHECK(done[0].started_us == 1'000'000);
  CHECK(transport.in_flight() == 1);

  // A shorter wait than the next completion moves the clock by the wait only.
  done.clear();
  transport.poll(done, 5'000);
  CHECK(done.empty());
  CHECK(clock.now_us() == 1'015'000);

  done.clear();
  transport.poll(done, 1'000'000);
  CHECK(ids(done) == std::vector<std::uint64_t>{1});
  CHECK(clock.now_us() == 1'030'000);
  CHECK(transport.in_flight() == 0);
}

TEST_CASE("the fake returns everything due when the clock moved on its own", "[delivery][fake]") {
  ManualClock clock;
  FakeTransport transport(clock, by_body);
  transport.submit(request(1, "50"));
  transport.submit(request(2, "20"));
  transport.submit(request(3, "90"));
  clock.advance_us(60'000);
  std::vector<HttpResult> done;
  transport.poll(done, 0);
  CHECK(ids(done) == std::vector<std::uint64_t>{2, 1});
}

TEST_CASE("the fake times out a reply slower than the request's timeout", "[delivery][fake]") {
  ManualClock clock;
  FakeTransport transport(clock, by_body);
  transport.submit(request(7, "6000", 5000));
  std::vector<HttpResult> done;
  transport.poll(done, 60'000'000);
  REQUIRE(done.size() == 1);
  CHECK(done[0].error == ErrorKind::Timeout);
  CHECK(done[0].status == 0);
  CHECK(done[0].latency_us == 5'000'000);
  CHECK(clock.now_us() == 5'000'000);
}

TEST_CASE("the fake passes scripted errors and headers through", "[delivery][fake]") {
  ManualClock clock;
  FakeTransport transport(clock, [](const HttpRequest& req) {
    FakeReply reply;
    reply.latency_us = 100;
    if (req.id == 1) {
      reply.status = 503;
      reply.retry_after = "30";
    } else {
      reply.error = ErrorKind::Connect;
    }
    return reply;
  });
  transport.submit(request(1));
  transport.submit(request(2));
  std::vector<HttpResult> done;
  transport.poll(done, 1000);
  REQUIRE(done.size() == 2);
  CHECK(done[0].status == 503);
  CHECK(done[0].retry_after == "30");
  CHECK(done[1].error == ErrorKind::Connect);
  CHECK(done[1].status == 0);
  CHECK(done[1].error_text == "connect");
}

TEST_CASE("waiting on an idle fake just moves the clock", "[delivery][fake]") {
  ManualClock clock;
  FakeTransport transport(clock, by_body);
  std::vector<HttpResult> done;
  transport.poll(done, 2500);
  CHECK(done.empty());
  CHECK(clock.now_us() == 2500);
}
