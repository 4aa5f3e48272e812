// `callhook tail`: a journal file followed while `callhook run` writes it,
// a Server-Sent Events stream in every form the format allows, and a real
// `callhook serve` run.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <csignal>
#include <sstream>
#include <thread>

#include "../unit/delivery/test_receivers.hpp"
#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::ProcessResult;
using callhook::testing::read_jsonl;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::SignalPlan;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// tail's attempt lines hold "#N " (the attempt number); its outcome lines "= ".
std::size_t count_with(const std::string& out, const std::string& part) {
  std::size_t n = 0;
  for (const auto& line : lines_of(out))
    if (contains(line, part)) ++n;
  return n;
}

const std::string k_attempt =
    R"({"kind":"attempt","delivery":"0.0.0","attempt":1,"call":"CA1","event":"runtime.call.start","status":200,)"
    R"("error":"","verdict":"delivered","will_retry":false,"wall_offset_us":1500000,"wall_latency_us":2500})";
const std::string k_final =
    R"({"kind":"final","delivery":"0.0.0","call":"CA1","event":"runtime.call.start","result":"delivered",)"
    R"("attempts":1,"reason":""})";
const std::string k_end =
    R"({"id":"run-7","state":"finished","counters":{"planned":1,"delivered":1,"failed":0,"dropped":0,"cancelled":0}})";

// A receiver whose every GET answers `chunks` as one event stream, a piece
// at a time (so events and lines arrive split).
Receiver event_server(std::vector<std::string> chunks) {
  return Receiver([chunks](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/event-stream",
                                     [chunks, next = std::size_t{0}](std::size_t, httplib::DataSink& sink) mutable {
                                       if (next == chunks.size()) {
                                         sink.done();
                                         return true;
                                       }
                                       const std::string& chunk = chunks[next++];
                                       std::this_thread::sleep_for(std::chrono::milliseconds(10));
                                       return sink.write(chunk.data(), chunk.size());
                                     });
  });
}

}  // namespace

TEST_CASE("tail --follow waits for a journal and prints each attempt as the run writes it, until its end", "[tail]") {
  TempDir dir;
  const std::string journal = dir.path("run.jsonl");
  Receiver receiver;
  ProcessResult tail;
  // Started before the run, so the file does not exist yet.
  std::thread follower([&] { tail = run_callhook({"tail", journal, "--follow"}, 60); });
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  const auto run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--speed", "max", "--count", "3", "--target",
                                 receiver.url() + "/hooks", "--journal", journal});
  follower.join();
  INFO(run.out << run.err << tail.out << tail.err);
  REQUIRE(run.exit_code == 0);
  CHECK(tail.exit_code == 0);
  std::size_t attempts = 0, finals = 0;
  for (const auto& record : read_jsonl(journal)) {
    if (record.value("kind", "") == "attempt") {
      ++attempts;
      // Every attempt appears with its call and event.
      const std::string call = record.at("call"), event = record.at("event");
      bool shown = false;
      for (const auto& line : lines_of(tail.out))
        if (contains(line, call) && contains(line, event) && contains(line, "#1 ")) shown = true;
      CHECK(shown);
    }
    if (record.value("kind", "") == "final") ++finals;
  }
  REQUIRE(attempts > 0);
  CHECK(attempts == receiver.count());
  CHECK(count_with(tail.out, " #") == attempts);
  CHECK(count_with(tail.out, "= delivered after 1 attempt") == finals);
  const auto lines = lines_of(tail.out);
  REQUIRE(!lines.empty());
  CHECK(lines.front().rfind("run voiceflow-basic", 0) == 0);
  CHECK(lines.back() == "end: " + std::to_string(finals) + " planned, " + std::to_string(finals) +
                            " delivered, 0 failed, 0 dropped, 0 cancelled");
}

TEST_CASE("tail of a journal: a missing file or one that is not a journal is exit 2", "[tail]") {
  TempDir dir;
  auto r = run_callhook({"tail", dir.path("none.jsonl")});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "none.jsonl: no such journal file"));
  r = run_callhook({"tail", dir.write("other.jsonl", "{\"a\":1}\n")});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "other.jsonl:1: not a journal"));
}

TEST_CASE("tail reads Server-Sent Events split anywhere, with ids, heartbeats, CRLF and data: without a space",
          "[tail]") {
  // One attempt, one delivery, then the end: the attempt's data split over
  // chunks mid-line, a heartbeat comment between events, CRLF line ends on
  // the delivery event and no space after its "data:".
  const std::string attempt_event = "id: 1\nevent: attempt\ndata: " + k_attempt + "\n\n";
  Receiver server = event_server({
      ": heartbeat\n\n",
      attempt_event.substr(0, 20),
      attempt_event.substr(20, 40),
      attempt_event.substr(60),
      ":\n\n",
      "id: 2\r\nevent: delivery\r\ndata:" + k_final + "\r\n\r\n",
      "event: end\ndata: " + k_end + "\n\n",
  });
  auto r = run_callhook({"tail", server.url() + "/runs/run-7", "--token", "secret"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 3);
  CHECK(contains(lines[0], "1.500s"));
  CHECK(contains(lines[0], "CA1"));
  CHECK(contains(lines[0], "runtime.call.start"));
  CHECK(contains(lines[0], "#1 "));
  CHECK(contains(lines[0], " 200 "));
  CHECK(contains(lines[0], "2.50 ms"));
  CHECK(contains(lines[1], "= delivered after 1 attempt"));
  CHECK(lines[2] == "end: the run finished: 1 planned, 1 delivered, 0 failed, 0 dropped, 0 cancelled");
  const auto received = server.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].path == "/runs/run-7/events");
  CHECK(received[0].header("Authorization") == "Bearer secret");

  // --json prints each event's data as it is; the id form names the same URL.
  r = run_callhook({"tail", "run-7", "--server", server.url() + "/", "--json"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == k_attempt + "\n" + k_final + "\n" + k_end + "\n");
  CHECK(server.received().back().path == "/runs/run-7/events");
}

TEST_CASE("tail of a stream: an unknown run is exit 2, a stream cut before the end or no server exit 3", "[tail]") {
  Receiver missing([](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"error": "no run \"run-9\""})", "application/json");
  });
  auto r = run_callhook({"tail", missing.url() + "/runs/run-9"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "HTTP 404: no run \"run-9\""));

  Receiver cut = event_server({"event: attempt\ndata: " + k_attempt + "\n\n"});
  r = run_callhook({"tail", cut.url() + "/runs/run-7"});
  CHECK(r.exit_code == 3);
  CHECK(count_with(r.out, "#1 ") == 1);
  CHECK(contains(r.err, "the stream ended before the run did"));

  r = run_callhook({"tail", "http://127.0.0.1:" + std::to_string(free_port()) + "/runs/run-1"});
  CHECK(r.exit_code == 3);
  CHECK(contains(r.err, "cannot reach the server"));

  r = run_callhook({"tail", "run-1", "--server", "ftp://example.com"});
  CHECK(r.exit_code == 2);
}

TEST_CASE("tail follows a callhook serve run to its end, one line per attempt of its journal", "[tail]") {
  const int port = free_port();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  std::atomic<bool> done = false;
  ProcessResult serve;
  std::thread server([&] {
    serve = run_callhook({"serve", "--listen", "127.0.0.1:" + std::to_string(port)},
                         SignalPlan{[&] { return done.load(); }, {SIGTERM}, 50}, 60);
  });
  httplib::Client client("127.0.0.1", port);
  for (int i = 0; i < 100 && !client.Get("/healthz"); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Receiver receiver;
  // 4 calls over a few wall seconds, so tail joins while the run runs.
  const json request = {
      {"scenario",
       {{"name", "tail-me"}, {"speed", 20}, {"streams", {{{"vendor", "voicekit"}, {"calls", {{"count", 4}}}}}}}},
      {"target", receiver.url() + "/hooks"}};
  const auto posted = client.Post("/runs", request.dump(), "application/json");
  REQUIRE(posted);
  INFO(posted->body);
  REQUIRE(posted->status == 201);
  const std::string id = json::parse(posted->body).at("id");
  const auto tail = run_callhook({"tail", base + "/runs/" + id}, 60);
  const auto journal = client.Get("/runs/" + id + "/journal");
  done = true;
  server.join();
  INFO(tail.out << tail.err << serve.err);
  CHECK(tail.exit_code == 0);
  REQUIRE(journal);
  std::size_t attempts = 0;
  std::istringstream in(journal->body);
  for (std::string line; std::getline(in, line);)
    if (json::parse(line).value("kind", "") == "attempt") ++attempts;
  REQUIRE(attempts > 0);
  CHECK(attempts == receiver.count());
  CHECK(count_with(tail.out, " #") == attempts);
  CHECK(lines_of(tail.out).back().rfind("end: the run finished: ", 0) == 0);
}

TEST_CASE("tail follows a stream over https, checking the certificate unless --insecure", "[tail]") {
  auto [key, cert] = callhook::test::self_signed();
  REQUIRE(key);
  REQUIRE(cert);
  httplib::SSLServer server(cert.get(), key.get());
  server.Get(".*", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("event: attempt\ndata: " + k_attempt + "\n\nevent: end\ndata: " + k_end + "\n\n",
                    "text/event-stream");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  std::thread serving([&] { server.listen_after_bind(); });
  const std::string url = "https://127.0.0.1:" + std::to_string(port) + "/runs/run-7";
  const auto verified = run_callhook({"tail", url});
  const auto insecure = run_callhook({"tail", url, "--insecure"});
  server.stop();
  serving.join();
  INFO(verified.out << verified.err << insecure.out << insecure.err);
  CHECK(verified.exit_code == 3);  // a self-signed certificate
  CHECK(insecure.exit_code == 0);
  CHECK(count_with(insecure.out, "#1 ") == 1);
  CHECK(lines_of(insecure.out).back().rfind("end: the run finished", 0) == 0);
}
