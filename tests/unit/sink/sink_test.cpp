#include <catch2/catch.hpp>

#include <httplib.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "sink/recordings.hpp"
#include "sink/server.hpp"
#include "sink/sink.hpp"
#include "util/time_format.hpp"

using namespace callhook::sink;
using Clock = std::chrono::steady_clock;

namespace {

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/callhook_sink_" + std::to_string(::getpid()) + "_" + name;
}

httplib::Client client_for(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(std::chrono::seconds(5));
  client.set_read_timeout(std::chrono::seconds(10));
  client.set_tcp_nodelay(true);
  return client;
}

SinkOptions with_rules(const std::string& rules) {
  SinkOptions options;
  options.rules = parse_rule(rules);
  return options;
}

long elapsed_ms(Clock::time_point since) {
  return static_cast<long>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count());
}

// Waits until `count` webhooks have arrived at the sink (answered or still
// waiting in a delay); false after 20 s.
bool wait_for_arrivals(const Sink& sink, std::uint64_t count) {
  const auto give_up = Clock::now() + std::chrono::seconds(20);
  while (sink.arrived() < count) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

}  // namespace

TEST_CASE("the sink answers any method and path with 200 {\"ok\":true}") {
  Sink sink;
  const int port = sink.start();
  REQUIRE(port > 0);
  CHECK(sink.url() == "http://127.0.0.1:" + std::to_string(port));
  CHECK(sink.recordings_url() == "http://127.0.0.1:" + std::to_string(port) + "/recordings");
  auto client = client_for(port);

  std::vector<httplib::Result> results;
  results.push_back(client.Post("/hooks", R"({"type":"runtime.call.start"})", "application/json"));
  results.push_back(client.Get("/a/b?c=d"));
  results.push_back(client.Put("/x", "body", "text/plain"));
  results.push_back(client.Patch("/y", "{}", "application/json"));
  results.push_back(client.Delete("/z"));
  results.push_back(client.Options("/"));
  for (auto& result : results) {
    REQUIRE(result);
    CHECK(result->status == 200);
    CHECK(result->body == R"({"ok":true})");
    CHECK(result->get_header_value("Content-Type") == "application/json");
  }
  CHECK(sink.received() == 6);
}

TEST_CASE("a status sequence is walked per rule over real requests") {
  Sink sink(with_rules("event=runtime.call.end status=500,500,200; event=runtime.call.start status=503,201"));
  auto client = client_for(sink.start());
  auto send = [&](const std::string& event) {
    auto result = client.Post("/hooks", R"({"type":")" + event + R"("})", "application/json");
    REQUIRE(result);
    return result->status;
  };
  CHECK(send("runtime.call.end") == 500);
  CHECK(send("runtime.call.start") == 503);
  CHECK(send("runtime.session.end") == 200);  // no rule: default
  CHECK(send("runtime.call.end") == 500);
  CHECK(send("runtime.call.end") == 200);
  CHECK(send("runtime.call.start") == 201);
  CHECK(send("runtime.call.end") == 200);
  CHECK(send("runtime.call.start") == 201);
  CHECK(sink.received() == 8);
}

TEST_CASE("per=delivery walks the status sequence per delivery id: each delivery fails twice, then succeeds") {
  Sink sink(with_rules("status=500,500,200 per=delivery"));
  auto client = client_for(sink.start());
  auto send = [&](const std::string& id) {
    httplib::Headers headers = {{"webhook-id", id}};
    auto result = client.Post("/hooks", headers, R"({"type":"call.end"})", "application/json");
    REQUIRE(result);
    return result->status;
  };
  // Two deliveries interleaved, as a vendor's retries of two calls would be.
  CHECK(send("msg_a") == 500);
  CHECK(send("msg_b") == 500);
  CHECK(send("msg_a") == 500);
  CHECK(send("msg_a") == 200);
  CHECK(send("msg_b") == 500);
  CHECK(send("msg_b") == 200);
  CHECK(send("msg_a") == 200);  // the last status repeats
  CHECK(send("msg_c") == 500);  // a new delivery starts its own sequence
  // Without an id header the body is the delivery's identity.
  const auto by_body = [&](const std::string& body) { return client.Post("/hooks", body, "application/json")->status; };
  CHECK(by_body(R"({"type":"x","n":1})") == 500);
  CHECK(by_body(R"({"type":"x","n":2})") == 500);
  CHECK(by_body(R"({"type":"x","n":1})") == 500);
  CHECK(by_body(R"({"type":"x","n":1})") == 200);
}

TEST_CASE("a rule's body, content type and headers are answered") {
  Sink sink(
      with_rules("path=/slow status=429 header=Retry-After:2 body=later content_type=text/plain; "
                 "path=/fail status=500; path=/empty status=204"));
  auto client = client_for(sink.start());
  auto slow = client.Post("/slow", "{}", "application/json");
  REQUIRE(slow);
  CHECK(slow->status == 429);
  CHECK(slow->body == "later");
  CHECK(slow->get_header_value("Content-Type") == "text/plain");
  CHECK(slow->get_header_value("Retry-After") == "2");

  auto fail = client.Post("/fail", "{}", "application/json");
  REQUIRE(fail);
  CHECK(fail->status == 500);
  CHECK(fail->body == R"({"ok":false})");

  auto empty = client.Post("/empty", "{}", "application/json");
  REQUIRE(empty);
  CHECK(empty->status == 204);
  CHECK(empty->body.empty());
}

TEST_CASE("the sink names each webhook's event and rules can match it") {
  SinkOptions options = with_rules("event=Call.Complete status=202");
  options.keep_requests = true;
  Sink sink(options);
  auto client = client_for(sink.start());
  REQUIRE(client.Post("/vf", R"({"type":"runtime.call.start"})", "application/json"));
  REQUIRE(client.Post("/vk", R"({"event":"call_finalized","data":{}})", "application/json"));
  REQUIRE(client.Post("/vb", R"({"session_id":"s","trigger_reason":"end"})", "application/json"));
  REQUIRE(client.Post("/fd", "Call.Id=1&Event=Call.Initiate", "application/x-www-form-urlencoded"));
  auto get = client.Get("/fd?Call.Id=1&Event=Call.Complete");
  REQUIRE(get);
  CHECK(get->status == 202);
  REQUIRE(client.Post("/none", "plain", "text/plain"));

  const auto requests = sink.requests();
  REQUIRE(requests.size() == 6);
  const std::vector<std::string> events = {"runtime.call.start", "call_finalized", "session_end",
                                           "Call.Initiate",      "Call.Complete",  ""};
  for (std::size_t i = 0; i < events.size(); ++i) {
    INFO(i);
    CHECK(requests[i].event == events[i]);
  }
  CHECK(requests[4].method == "GET");
  CHECK(requests[4].path == "/fd");
  CHECK(requests[4].query == "Call.Id=1&Event=Call.Complete");
  CHECK(requests[4].status == 202);
  CHECK(requests[3].status == 200);
}

TEST_CASE("the sink records each webhook as one JSON line") {
  const std::string path = temp_path("record.jsonl");
  SinkOptions options = with_rules("event=call.end status=503");
  options.record_path = path;
  Sink sink(options);
  auto client = client_for(sink.start());
  httplib::Headers headers = {{"X-Signature", "abc123"}};
  REQUIRE(client.Post("/hooks/a?x=1&y=two", headers, R"({"event":"call.end","n":1})", "application/json"));
  REQUIRE(client.Get("/q?Event=Call.Initiate"));
  REQUIRE(client.Post("/bin", std::string("\xff\xfe ok", 5), "application/octet-stream"));
  sink.stop();

  std::ifstream in(path);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  std::remove(path.c_str());
  REQUIRE(lines.size() == 3);

  const auto& first = lines[0];
  std::vector<std::string> keys;
  for (auto it = first.begin(); it != first.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"body", "call_id", "delivery_id", "duplicate", "event", "headers", "method",
                                         "path", "query", "received_at", "seq", "status"});
  CHECK(first["seq"] == 1);
  CHECK(first["method"] == "POST");
  CHECK(first["path"] == "/hooks/a");
  CHECK(first["query"] == "x=1&y=two");
  CHECK(first["headers"]["X-Signature"] == "abc123");
  CHECK(first["headers"]["Content-Type"] == "application/json");
  CHECK_FALSE(first["headers"].contains("REMOTE_ADDR"));
  CHECK(first["body"] == R"({"event":"call.end","n":1})");
  CHECK(first["event"] == "call.end");
  CHECK(first["status"] == 503);
  CHECK(callhook::util::parse_iso8601(first["received_at"].get<std::string>()).has_value());

  CHECK(lines[1]["seq"] == 2);
  CHECK(lines[1]["method"] == "GET");
  CHECK(lines[1]["event"] == "Call.Initiate");
  CHECK(lines[1]["status"] == 200);
  CHECK(lines[1]["body"] == "");

  // Bytes that are not UTF-8 are replaced, so the line stays valid JSON.
  CHECK(lines[2]["body"].get<std::string>().size() >= 3);
  CHECK(lines[2]["body"].get<std::string>().ends_with(" ok"));
}

TEST_CASE("a record file that cannot be opened stops start()") {
  SinkOptions options;
  options.record_path = "/nonexistent-dir/record.jsonl";
  Sink sink(options);
  CHECK_THROWS_WITH(sink.start(), "cannot open record file \"/nonexistent-dir/record.jsonl\"");
}

TEST_CASE("a rule's delay holds the answer") {
  Sink sink(with_rules("path=/slow delay_ms=300"));
  auto client = client_for(sink.start());
  const auto start = Clock::now();
  auto result = client.Post("/slow", "{}", "application/json");
  REQUIRE(result);
  CHECK(result->status == 200);
  CHECK(elapsed_ms(start) >= 300);
}

TEST_CASE("stop() answers requests waiting in a delay at once") {
  Sink sink(with_rules("delay_ms=600000"));
  const int port = sink.start();
  std::atomic<int> status{0};
  std::thread sender([&] {
    auto client = client_for(port);
    client.set_read_timeout(std::chrono::seconds(30));
    auto result = client.Post("/wait", "{}", "application/json");
    status = result ? result->status : -1;
  });
  REQUIRE(wait_for_arrivals(sink, 1));  // the request waits in its delay
  const auto start = Clock::now();
  sink.stop();
  sender.join();
  CHECK(elapsed_ms(start) < 5000);
  CHECK(status == 200);
}

TEST_CASE("stop() does not wait for idle keep-alive connections") {
  Sink sink;
  auto client = client_for(sink.start());
  client.set_keep_alive(true);
  REQUIRE(client.Get("/idle"));
  // The client keeps its connection open; cpp-httplib alone would wait out
  // its 5 s keep-alive timeout here.
  const auto start = Clock::now();
  sink.stop();
  CHECK(elapsed_ms(start) < 2000);
}

TEST_CASE("concurrent requests are all counted and the sequence is shared") {
  SinkOptions options = with_rules("status=500,500,200");
  options.keep_requests = true;
  Sink sink(options);
  const int port = sink.start();
  constexpr int k_threads = 4;
  constexpr int k_per_thread = 50;
  std::vector<std::map<int, int>> statuses(k_threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&, t] {
      auto client = client_for(port);
      client.set_keep_alive(true);  // more than cpp-httplib's default 5 requests per connection
      for (int i = 0; i < k_per_thread; ++i) {
        auto result = client.Post("/c", R"({"type":"x"})", "application/json");
        ++statuses[static_cast<std::size_t>(t)][result ? result->status : -1];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::map<int, int> total;
  for (const auto& s : statuses)
    for (const auto& [status, count] : s) total[status] += count;
  CHECK(total == std::map<int, int>{{500, 2}, {200, k_threads * k_per_thread - 2}});
  CHECK(sink.received() == k_threads * k_per_thread);
  std::set<std::uint64_t> seqs;
  for (const auto& r : sink.requests()) seqs.insert(r.seq);
  CHECK(seqs.size() == k_threads * k_per_thread);
  CHECK(*seqs.begin() == 1);
  CHECK(*seqs.rbegin() == k_threads * k_per_thread);
}

TEST_CASE("more connections than the default 8 are served at once") {
  // Each request waits in a long delay; all 16 are inside the sink together
  // only when all 16 connections are served at once. stop() then answers them.
  SinkOptions options = with_rules("delay_ms=600000");
  options.threads = 16;
  Sink sink(options);
  const int port = sink.start();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      auto client = client_for(port);
      client.set_read_timeout(std::chrono::seconds(60));
      auto result = client.Post("/p", "{}", "application/json");
      if (result && result->status == 200) ++ok;
    });
  }
  const bool all_in = wait_for_arrivals(sink, 16);
  sink.stop();
  for (auto& thread : threads) thread.join();
  CHECK(all_in);
  CHECK(ok == 16);
}

TEST_CASE("a keep-alive connection stays open past 5 requests") {
  HttpServer server;
  std::mutex mutex;
  std::set<int> remote_ports;
  const int port = server.start("127.0.0.1", 0, 2, [&](const HttpRequest& request) {
    std::lock_guard lock(mutex);
    remote_ports.insert(request.remote_port);
    return HttpResponse{};
  });
  {
    auto client = client_for(port);
    client.set_keep_alive(true);
    for (int i = 0; i < 20; ++i) REQUIRE(client.Get("/k"));
  }
  server.stop();
  CHECK(remote_ports.size() == 1);
}

TEST_CASE("a busy port makes start() throw") {
  Sink first;
  const int port = first.start();
  SinkOptions options;
  options.port = port;
  Sink second(options);
  CHECK_THROWS_WITH(second.start(),
                    "cannot listen on 127.0.0.1:" + std::to_string(port) + " (port in use or address not available)");
}

TEST_CASE("the sink can be stopped and started again") {
  Sink sink;
  auto client1 = client_for(sink.start());
  REQUIRE(client1.Get("/1"));
  sink.stop();
  sink.stop();
  auto client2 = client_for(sink.start());
  REQUIRE(client2.Get("/2"));
  CHECK(sink.received() == 2);
}

TEST_CASE("print writes one line per webhook, verbose adds headers and body") {
  std::ostringstream out;
  SinkOptions options = with_rules("event=runtime.call.end status=500");
  options.print = true;
  options.out = &out;
  {
    Sink sink(options);
    auto client = client_for(sink.start());
    REQUIRE(client.Post("/hooks", R"({"type":"runtime.call.start"})", "application/json"));
    REQUIRE(client.Post("/hooks", R"({"type":"runtime.call.end"})", "application/json"));
    REQUIRE(client.Get("/nothing"));
  }
  std::istringstream lines(out.str());
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  REQUIRE(got.size() == 3);
  const std::string time = R"(\d\d:\d\d:\d\d\.\d\d\d)";
  const std::string id = "id body:[0-9a-f]{12}";
  CHECK(std::regex_match(got[0], std::regex(time + "  POST /hooks  runtime\\.call\\.start  " + id + "  200  29 B")));
  CHECK(std::regex_match(got[1], std::regex(time + "  POST /hooks  runtime\\.call\\.end  " + id + "  500  27 B")));
  CHECK(std::regex_match(got[2], std::regex(time + "  GET /nothing  -  200  0 B")));

  std::ostringstream verbose_out;
  options.verbose = true;
  options.out = &verbose_out;
  {
    Sink sink(options);
    auto client = client_for(sink.start());
    REQUIRE(client.Post("/hooks", httplib::Headers{{"X-Test", "yes"}}, R"({"type":"a","n":[1]})", "application/json"));
  }
  const std::string text = verbose_out.str();
  CHECK(std::regex_search(text, std::regex("  POST /hooks  a  id body:[0-9a-f]{12}  200  20 B\n")));
  CHECK(text.find("    X-Test: yes\n") != std::string::npos);
  CHECK(text.find("    \"type\": \"a\",\n") != std::string::npos);
}

TEST_CASE("print lines show the call and delivery ids and mark duplicates") {
  std::ostringstream out;
  SinkOptions options;
  options.print = true;
  options.out = &out;
  {
    Sink sink(options);
    auto client = client_for(sink.start());
    const std::string body = R"({"type":"runtime.call.end","data":{"metadata":{"callSid":"CA1"}}})";
    REQUIRE(client.Post("/hooks", body, "application/json"));
    REQUIRE(client.Post("/hooks", body, "application/json"));
    REQUIRE(client.Post("/hooks", httplib::Headers{{"svix-id", "msg_7"}}, R"({"type":"x"})", "application/json"));
  }
  std::istringstream lines(out.str());
  std::vector<std::string> got;
  for (std::string line; std::getline(lines, line);) got.push_back(line);
  REQUIRE(got.size() == 3);
  CHECK(got[0].find("runtime.call.end  call CA1  id body:") != std::string::npos);
  CHECK(got[0].find("dup") == std::string::npos);
  CHECK(got[1].find("  dup  200") != std::string::npos);
  CHECK(got[2].find("  x  id msg_7  200") != std::string::npos);
}

TEST_CASE("print_line formats one request") {
  CHECK(print_line("12:00:01.234", "POST", "/hooks", "runtime.call.start", 200, 812) ==
        "12:00:01.234  POST /hooks  runtime.call.start  200  812 B");
  CHECK(print_line("12:00:01.234", "GET", "/fd", "", 503, 0) == "12:00:01.234  GET /fd  -  503  0 B");
}

TEST_CASE("the sink serves recordings unless a rule matches first") {
  Sink sink;
  auto client = client_for(sink.start());
  auto wav = client.Get("/recordings/call-1-1000.wav");
  REQUIRE(wav);
  CHECK(wav->status == 200);
  CHECK(wav->get_header_value("Content-Type") == "audio/wav");
  CHECK(wav->body.size() == 1000);
  auto missing = client.Get("/recordings/call-1.wav");
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(sink.received() == 0);
  CHECK(sink.recordings_served() == 1);

  Sink failing(with_rules("path=/recordings/* status=503"));
  auto failing_client = client_for(failing.start());
  auto refused = failing_client.Get("/recordings/call-1-1000.wav");
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK(failing.received() == 1);
  CHECK(failing.recordings_served() == 0);
}

TEST_CASE("the recording server answers <name>-<bytes>.<ext> with exact sizes") {
  RecordingServer server;
  const int port = server.start();
  CHECK(server.base_url() == "http://127.0.0.1:" + std::to_string(port) + "/recordings");
  auto client = client_for(port);
  client.set_keep_alive(true);

  struct Case {
    std::string path;
    int status;
    std::string type;
    std::size_t bytes;
  };
  const std::vector<Case> cases = {
      {"/recordings/rec-abc-48000.ogg", 200, "audio/ogg", 48000},
      {"/recordings/rec-abc-128.ogg", 200, "audio/ogg", 128},
      {"/recordings/rec-abc-160044.wav", 200, "audio/wav", 160044},
      {"/recordings/rec-abc-99.wav", 200, "audio/wav", 99},
      {"/recordings/rec-abc-3000000.ogg", 200, "audio/ogg", 3000000},
      {"/recordings/rec-abc-48000.mp3", 404, "", 0},
      {"/recordings/rec-abc-100.ogg", 404, "", 0},
      {"/recordings/rec-abc-70000000.wav", 404, "", 0},
      {"/recordings/rec-abc.wav", 404, "", 0},
      {"/elsewhere/rec-abc-1000.wav", 404, "", 0},
  };
  for (const auto& c : cases) {
    INFO(c.path);
    auto result = client.Get(c.path);
    REQUIRE(result);
    CHECK(result->status == c.status);
    if (c.status == 200) {
      CHECK(result->get_header_value("Content-Type") == c.type);
      CHECK(result->body.size() == c.bytes);
    }
  }
  auto post = client.Post("/recordings/rec-abc-1000.wav", "", "text/plain");
  REQUIRE(post);
  CHECK(post->status == 404);
  auto head = client.Head("/recordings/rec-abc-1000.wav");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->get_header_value("Content-Length") == "1000");
  CHECK(server.served() == 6);
}
