// The real transport against servers started here on loopback: cpp-httplib
// for ordinary behaviour, a scripted raw-socket server for what cpp-httplib
// will not do (interim responses, silent closes, malformed replies).
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

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
using callhook::test::scripted;
using callhook::test::ScriptedReply;
using callhook::test::wait_for;
using namespace std::chrono_literals;

namespace {

class LoopbackServer {
 public:
  explicit LoopbackServer(const std::function<void(httplib::Server&)>& setup) {
    // Every keep-alive connection holds a server thread, so give it plenty.
    m_server.new_task_queue = [] { return new httplib::ThreadPool(24); };
    m_server.set_keep_alive_max_count(100000);
    m_server.set_tcp_nodelay(true);  // else its split writes meet delayed ACKs: 40 ms a response
    setup(m_server);
    m_port = m_server.bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
    const auto give_up = std::chrono::steady_clock::now() + 5s;
    while (!m_server.is_running() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
  }
  ~LoopbackServer() {
    m_server.stop();
    m_thread.join();
  }
  LoopbackServer(const LoopbackServer&) = delete;
  LoopbackServer& operator=(const LoopbackServer&) = delete;

  bool running() const { return m_server.is_running(); }
  int port() const { return m_port; }
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(m_port) + path; }

 private:
  httplib::Server m_server;
  int m_port = 0;
  std::thread m_thread;
};

// The client ports a server saw: one per connection it accepted.
class PortLog {
 public:
  void add(const httplib::Request& request) {
    std::lock_guard lock(m_mutex);
    m_ports.insert(request.remote_port);
    ++m_requests;
  }
  std::size_t connections() {
    std::lock_guard lock(m_mutex);
    return m_ports.size();
  }
  int requests() {
    std::lock_guard lock(m_mutex);
    return m_requests;
  }

 private:
  std::mutex m_mutex;
  std::set<int> m_ports;
  int m_requests = 0;
};

HttpRequest post(const std::string& url, std::uint64_t id, std::string body = "{}") {
  HttpRequest request;
  request.id = id;
  request.url = *callhook::util::parse_url(url);
  request.headers = {{"Content-Type", "application/json"}};
  request.body = std::move(body);
  return request;
}

// A port on which nothing listens: bound, read back, closed.
int closed_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), size);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

}  // namespace

TEST_CASE("requests go out well formed on one reused keep-alive connection", "[delivery][transport]") {
  PortLog log;
  LoopbackServer server([&](httplib::Server& s) {
    s.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
      log.add(req);
      res.set_content(req.body + "|" + req.get_header_value("Host") + "|" +
                          std::to_string(req.get_header_value_count("Host")) + "|" + req.get_header_value("X-Vendor") +
                          "|" + req.get_header_value("Content-Type"),
                      "text/plain");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  for (std::uint64_t i = 0; i < 20; ++i) {
    HttpRequest request = post(server.url("/hook"), i, "body-" + std::to_string(i));
    request.headers.push_back({"X-Vendor", "voicebot"});
    request.headers.push_back({"host", "not-this-one"});  // the transport writes Host itself
    const HttpResult result = one(*transport, std::move(request));
    INFO("request " << i << ": " << result.error_text);
    CHECK(result.error == ErrorKind::None);
    CHECK(result.id == i);
    CHECK(result.status == 200);
    CHECK(result.body ==
          "body-" + std::to_string(i) + "|127.0.0.1:" + std::to_string(server.port()) + "|1|voicebot|application/json");
    CHECK(result.latency_us > 0);
  }
  CHECK(log.requests() == 20);
  CHECK(log.connections() == 1);
  CHECK(transport->in_flight() == 0);
}

TEST_CASE("chunked responses are reassembled", "[delivery][transport]") {
  LoopbackServer server([](httplib::Server& s) {
    s.Post("/chunked", [](const httplib::Request&, httplib::Response& res) {
      res.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
        static const char* const k_parts[] = {"hello ", "chunked ", "world"};
        const std::size_t index = offset == 0 ? 0 : offset == 6 ? 1 : 2;
        sink.write(k_parts[index], std::strlen(k_parts[index]));
        if (index == 2) sink.done();
        return true;
      });
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  for (std::uint64_t i = 0; i < 3; ++i) {
    const HttpResult result = one(*transport, post(server.url("/chunked"), i));
    CHECK(result.error == ErrorKind::None);
    CHECK(result.status == 200);
    CHECK(result.body == "hello chunked world");
  }
}

TEST_CASE("error statuses and Retry-After come back as data", "[delivery][transport]") {
  LoopbackServer server([](httplib::Server& s) {
    s.Post("/busy", [](const httplib::Request&, httplib::Response& res) {
      res.status = 503;
      res.set_header("Retry-After", "7");
      res.set_content("busy", "text/plain");
    });
    s.Post("/boom", [](const httplib::Request&, httplib::Response& res) {
      res.status = 500;
      res.set_content("boom", "text/plain");
    });
    s.Post("/limit", [](const httplib::Request&, httplib::Response& res) {
      res.status = 429;
      res.set_header("Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  struct Row {
    const char* path;
    int status;
    const char* retry_after;
    const char* body;
  };
  const Row rows[] = {
      {"/busy", 503, "7", "busy"},
      {"/boom", 500, "", "boom"},
      {"/limit", 429, "Wed, 21 Oct 2015 07:28:00 GMT", ""},
      {"/missing", 404, "", ""},
  };
  for (const auto& row : rows) {
    INFO(row.path);
    const HttpResult result = one(*transport, post(server.url(row.path), 1));
    CHECK(result.error == ErrorKind::None);
    CHECK(result.status == row.status);
    CHECK(result.retry_after == row.retry_after);
    CHECK(result.body == row.body);
  }
}

TEST_CASE("a refused connection is a connect error", "[delivery][transport]") {
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  const std::string url = "http://127.0.0.1:" + std::to_string(closed_port()) + "/hook";
  for (std::uint64_t i = 0; i < 3; ++i) transport->submit(post(url, i));
  CHECK(transport->in_flight() == 3);
  const auto done = wait_for(*transport, 3);
  REQUIRE(done.size() == 3);
  for (const auto& result : done) {
    CHECK(result.error == ErrorKind::Connect);
    CHECK(result.status == 0);
    CHECK_FALSE(result.error_text.empty());
  }
  CHECK(transport->in_flight() == 0);
}

TEST_CASE("an unknown host is a connect error", "[delivery][transport]") {
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  const HttpResult result = one(*transport, post("http://no-such-host.invalid/hook", 1));
  CHECK(result.error == ErrorKind::Connect);
  CHECK(result.error_text.find("resolve") != std::string::npos);
}

TEST_CASE("a slow server runs into the response timeout", "[delivery][transport]") {
  LoopbackServer server([](httplib::Server& s) {
    s.Post("/slow", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(1500ms);
      res.set_content("late", "text/plain");
    });
    s.Post("/fast", [](const httplib::Request&, httplib::Response& res) { res.set_content("fast", "text/plain"); });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  HttpRequest request = post(server.url("/slow"), 1);
  request.timeout_ms = 200;
  const HttpResult result = one(*transport, std::move(request));
  CHECK(result.error == ErrorKind::Timeout);
  CHECK(result.status == 0);
  CHECK(result.latency_us >= 150'000);
  CHECK(result.latency_us < 1'400'000);
  // The origin stays usable afterwards.
  const HttpResult after = one(*transport, post(server.url("/fast"), 2));
  CHECK(after.error == ErrorKind::None);
  CHECK(after.body == "fast");
}

TEST_CASE("idle keep-alive connections closed by the server are replaced silently", "[delivery][transport]") {
  PortLog log;
  LoopbackServer server([&](httplib::Server& s) {
    s.set_keep_alive_timeout(1);
    s.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
      log.add(req);
      res.set_content("ok", "text/plain");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);

  SECTION("closed while nobody polls: the next send finds out") {
    CHECK(one(*transport, post(server.url("/hook"), 1)).status == 200);
    std::this_thread::sleep_for(1600ms);
    const HttpResult result = one(*transport, post(server.url("/hook"), 2));
    CHECK(result.error == ErrorKind::None);
    CHECK(result.status == 200);
  }
  SECTION("closed while polling: the pool drops it") {
    CHECK(one(*transport, post(server.url("/hook"), 1)).status == 200);
    std::vector<HttpResult> done;
    const auto until = std::chrono::steady_clock::now() + 1600ms;
    while (std::chrono::steady_clock::now() < until) transport->poll(done, 100'000);
    CHECK(done.empty());
    const HttpResult result = one(*transport, post(server.url("/hook"), 2));
    CHECK(result.error == ErrorKind::None);
    CHECK(result.status == 200);
  }
  CHECK(log.requests() == 2);
  CHECK(log.connections() == 2);
}

TEST_CASE("a reused connection that closes before answering is re-sent once on a fresh one", "[delivery][transport]") {
  SECTION("the retry succeeds") {
    HostileServer server(false, scripted([](int n) {
                           if (n == 1) return ScriptedReply{"", true};  // reads the request, closes without a byte
                           return ScriptedReply{HostileServer::ok("fine " + std::to_string(n)), false};
                         }));
    callhook::util::SystemClock clock;
    auto transport = make_transport(TransportOptions{}, clock);
    CHECK(one(*transport, post(server.url(), 1)).body == "fine 0");
    const HttpResult result = one(*transport, post(server.url(), 2));
    CHECK(result.error == ErrorKind::None);
    CHECK(result.body == "fine 2");
    REQUIRE(result.lost.size() == 1);  // the receiver saw the lost try: it is reported
    CHECK(result.lost[0].error == ErrorKind::Closed);
    CHECK(server.connections() == 2);
    CHECK(server.requests() == 3);
  }
  SECTION("a second silent close is reported") {
    HostileServer server(false, scripted([](int n) {
                           if (n >= 1) return ScriptedReply{"", true};
                           return ScriptedReply{HostileServer::ok("fine"), false};
                         }));
    callhook::util::SystemClock clock;
    auto transport = make_transport(TransportOptions{}, clock);
    CHECK(one(*transport, post(server.url(), 1)).status == 200);
    const HttpResult result = one(*transport, post(server.url(), 2));
    CHECK(result.error == ErrorKind::Closed);
    CHECK(result.lost.size() == 1);
    CHECK(server.connections() == 2);
    CHECK(server.requests() == 3);
  }
  SECTION("a fresh connection closing is reported at once") {
    HostileServer server(false, scripted([](int) { return ScriptedReply{"", true}; }));
    callhook::util::SystemClock clock;
    auto transport = make_transport(TransportOptions{}, clock);
    const HttpResult result = one(*transport, post(server.url(), 1));
    CHECK(result.error == ErrorKind::Closed);
    CHECK(result.lost.empty());
    CHECK(server.connections() == 1);
  }
}

TEST_CASE("a server that closes after every response costs no failures", "[delivery][transport]") {
  HostileServer server(false, scripted([](int n) {
                         return ScriptedReply{HostileServer::ok(std::to_string(n)), true};
                       }));
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  for (std::uint64_t i = 0; i < 5; ++i) {
    const HttpResult result = one(*transport, post(server.url(), i));
    INFO(result.error_text);
    CHECK(result.error == ErrorKind::None);
    CHECK(result.status == 200);
  }
  CHECK(server.connections() == 5);
}

TEST_CASE("interim responses, close-delimited bodies and garbage", "[delivery][transport]") {
  struct Row {
    const char* name;
    ScriptedReply reply;
    ErrorKind error;
    int status;
    const char* body;
  };
  const Row rows[] = {
      {"100 Continue first",
       {"HTTP/1.1 100 Continue\r\n\r\n" + HostileServer::ok("after"), false},
       ErrorKind::None,
       200,
       "after"},
      {"body until close", {"HTTP/1.1 200 OK\r\n\r\nto the end", true}, ErrorKind::None, 200, "to the end"},
      {"not http", {"SSH-2.0-OpenSSH_9.2\r\n", false}, ErrorKind::Protocol, 0, ""},
      {"cut short", {"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", true}, ErrorKind::Closed, 0, ""},
  };
  for (const auto& row : rows) {
    INFO(row.name);
    HostileServer server(false, scripted([&](int) { return row.reply; }));
    callhook::util::SystemClock clock;
    auto transport = make_transport(TransportOptions{}, clock);
    const HttpResult result = one(*transport, post(server.url(), 1));
    CHECK(result.error == row.error);
    if (row.error == ErrorKind::None) {
      CHECK(result.status == row.status);
      CHECK(result.body == row.body);
    }
  }
}

TEST_CASE("large bodies go out whole and come back capped", "[delivery][transport]") {
  LoopbackServer server([](httplib::Server& s) {
    s.Post("/size", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content(std::to_string(req.body.size()) + ":" + std::to_string(req.body.back()), "text/plain");
    });
    s.Post("/huge", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(200 * 1024, 'x'), "text/plain");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  std::string body(4 * 1024 * 1024, 'a');
  body.back() = 'z';
  const HttpResult sent = one(*transport, post(server.url("/size"), 1, body));
  CHECK(sent.error == ErrorKind::None);
  CHECK(sent.body == "4194304:" + std::to_string(static_cast<int>('z')));
  const HttpResult huge = one(*transport, post(server.url("/huge"), 2));
  CHECK(huge.status == 200);
  CHECK(huge.body == std::string(64 * 1024, 'x'));
}

TEST_CASE("a thousand requests over eight connections are all accounted for", "[delivery][transport]") {
  PortLog log;
  LoopbackServer server([&](httplib::Server& s) {
    s.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
      log.add(req);
      res.set_content(req.body, "text/plain");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  TransportOptions options;
  options.connections_per_origin = 8;
  auto transport = make_transport(options, clock);
  const std::size_t total = 1000;
  for (std::uint64_t i = 0; i < total; ++i) transport->submit(post(server.url("/hook"), i, std::to_string(i)));
  CHECK(transport->in_flight() == total);
  const auto done = wait_for(*transport, total, 60s);
  REQUIRE(done.size() == total);
  std::set<std::uint64_t> ids;
  std::size_t good = 0;
  for (const auto& result : done) {
    ids.insert(result.id);
    if (result.error == ErrorKind::None && result.status == 200 && result.body == std::to_string(result.id)) ++good;
  }
  CHECK(ids.size() == total);
  CHECK(*ids.rbegin() == total - 1);
  CHECK(good == total);
  CHECK(transport->in_flight() == 0);
  CHECK(log.requests() == static_cast<int>(total));
  CHECK(log.connections() <= 8);
  CHECK(log.connections() >= 2);
}

TEST_CASE("poll returns when a result arrives and otherwise sleeps its wait", "[delivery][transport]") {
  LoopbackServer server([](httplib::Server& s) {
    s.Post("/hook", [](const httplib::Request&, httplib::Response& res) {
      std::this_thread::sleep_for(50ms);
      res.set_content("ok", "text/plain");
    });
  });
  REQUIRE(server.running());
  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);

  std::vector<HttpResult> done;
  auto start = std::chrono::steady_clock::now();
  transport->poll(done, 30'000);
  auto slept = std::chrono::steady_clock::now() - start;
  CHECK(done.empty());
  CHECK(slept >= 25ms);
  CHECK(slept < 1s);

  transport->submit(post(server.url("/hook"), 1));
  start = std::chrono::steady_clock::now();
  while (done.empty() && std::chrono::steady_clock::now() - start < 10s) transport->poll(done, 10'000'000);
  const auto waited = std::chrono::steady_clock::now() - start;
  REQUIRE(done.size() == 1);
  CHECK(done[0].status == 200);
  CHECK(waited < 5s);
  CHECK(done[0].latency_us >= 40'000);
}

TEST_CASE("a connect that hangs runs into the connect timeout", "[delivery][transport]") {
  // A listener that never accepts, its backlog filled by one idle client:
  // the kernel drops further SYNs, so a connect neither succeeds nor fails.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof address;
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), size) == 0);
  REQUIRE(::listen(listener, 0) == 0);
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &size);
  std::vector<int> fillers;
  for (int i = 0; i < 2; ++i) {
    const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ::connect(filler, reinterpret_cast<sockaddr*>(&address), size);
    fillers.push_back(filler);
  }
  // The backlog is full once the first filler's handshake is done.
  pollfd connected{fillers[0], POLLOUT, 0};
  REQUIRE(::poll(&connected, 1, 5000) == 1);

  callhook::util::SystemClock clock;
  auto transport = make_transport(TransportOptions{}, clock);
  HttpRequest request = post("http://127.0.0.1:" + std::to_string(ntohs(address.sin_port)) + "/hook", 1);
  request.connect_timeout_ms = 300;
  const HttpResult result = one(*transport, std::move(request));
  CHECK(result.error == ErrorKind::Connect);
  CHECK(result.error_text.find("timed out") != std::string::npos);
  CHECK(result.latency_us >= 250'000);
  CHECK(result.latency_us < 5'000'000);
  for (const int fd : fillers) ::close(fd);
  ::close(listener);
}
