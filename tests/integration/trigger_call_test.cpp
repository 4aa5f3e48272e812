// `callhook trigger VENDOR --call` (one whole call, handshakes included) and
// `callhook replay JOURNAL --delivery KEY` against real loopback receivers.
#include <httplib.h>

#include <catch2/catch.hpp>
#include <mutex>
#include <sstream>

#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::read_jsonl;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The delivery lines of trigger --call's output: "  N  EVENT ...".
std::vector<std::string> delivery_lines(const std::string& out) {
  std::vector<std::string> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);)
    if (line.size() > 5 && line[0] == ' ' && std::isdigit(static_cast<unsigned char>(line[2]))) lines.push_back(line);
  return lines;
}

}  // namespace

TEST_CASE("trigger voiceflow --call sends the whole call in order, one line per delivery", "[trigger_call]") {
  Receiver receiver;
  const auto r = run_callhook({"trigger", "voiceflow", "--call", "--target", receiver.url() + "/hooks"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto received = receiver.received();
  const auto lines = delivery_lines(r.out);
  REQUIRE(received.size() >= 3);
  REQUIRE(lines.size() == received.size());
  // The lines name the events in the order the receiver got them.
  for (std::size_t i = 0; i < received.size(); ++i) {
    const json body = json::parse(received[i].body);
    INFO(received[i].body);
    const std::string type = body.at("type");
    CHECK(contains(lines[i], type));
    CHECK(contains(lines[i], " 200 "));
    CHECK(contains(lines[i], "accepted"));
  }
  CHECK(json::parse(received.front().body).at("type") == "runtime.session.start");
  CHECK(json::parse(received.back().body).at("type") == "runtime.session.end");
  CHECK(contains(r.out, std::to_string(received.size()) + " deliveries, all accepted"));
}

TEST_CASE("trigger --call exits 1 when one delivery is refused, and tries each once", "[trigger_call]") {
  Receiver receiver([](const httplib::Request& req, httplib::Response& res) {
    if (req.body.find("runtime.call.end") != std::string::npos) res.status = 503;
  });
  const auto r = run_callhook({"trigger", "voiceflow", "--call", "--target", receiver.url() + "/hooks"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  const auto lines = delivery_lines(r.out);
  REQUIRE(lines.size() == receiver.count());  // no retries: one request per delivery
  int refused = 0;
  for (const auto& line : lines)
    if (contains(line, "runtime.call.end")) {
      CHECK(contains(line, " 503 "));
      CHECK(contains(line, "not accepted"));
      ++refused;
    }
  CHECK(refused == 1);
  CHECK(contains(r.out, "1 not accepted"));
}

TEST_CASE("trigger voicekit --call serves its recordings at --recordings-listen while the call plays",
          "[trigger_call]") {
  const int port = free_port();
  const std::string listen = "127.0.0.1:" + std::to_string(port);
  const std::string base = "http://" + listen + "/recordings/";
  std::mutex mutex;
  std::vector<int> fetched;  // the status of each recording fetched on arrival
  Receiver receiver([&](const httplib::Request& req, httplib::Response&) {
    const auto at = req.body.find(base);
    if (at == std::string::npos) return;
    const auto end = req.body.find('"', at);
    const std::string path = "/recordings/" + req.body.substr(at + base.size(), end - at - base.size());
    httplib::Client client("127.0.0.1", port);
    const auto answer = client.Get(path);
    const std::lock_guard<std::mutex> lock(mutex);
    fetched.push_back(answer ? answer->status : 0);
  });
  const auto r = run_callhook(
      {"trigger", "voicekit", "--call", "--target", receiver.url() + "/hooks", "--recordings-listen", listen});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::lock_guard<std::mutex> lock(mutex);
  REQUIRE(!fetched.empty());
  for (const int status : fetched) CHECK(status == 200);

  Receiver other;
  const auto pinned = run_callhook({"trigger", "voicekit", "--call", "--target", other.url() + "/hooks",
                                    "--recordings-url", "http://callhook:9100/recordings/"});
  CHECK(pinned.exit_code == 0);
  bool shown = false;
  for (const auto& received : other.received())
    shown = shown || contains(received.body, "http://callhook:9100/recordings/");
  CHECK(shown);

  const auto held = run_callhook({"trigger", "voicekit", "--call", "--recordings-hold", "2"});
  CHECK(held.exit_code == 2);
  CHECK(contains(held.err, "--recordings-hold: only for one event"));
}

TEST_CASE("trigger voicebot --call follows the session_start answer's webhook_config", "[trigger_call]") {
  std::mutex mutex;
  std::string base;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_object() && body.value("trigger_reason", "") == "start") {
      std::lock_guard lock(mutex);
      res.set_content(R"({"http_code":200,"response":{"data":{"webhook_config":{"transcript_events":{"url":")" + base +
                          R"(/redirected/transcripts"},"session_end":{"url":")" + base + R"(/redirected/end"}}}}})",
                      "application/json");
      return;
    }
    res.set_content(R"({"http_code":200,"response":{"data":{}}})", "application/json");
  });
  {
    std::lock_guard lock(mutex);
    base = receiver.url();
  }
  const auto r = run_callhook({"trigger", "voicebot", "--call", "--target", receiver.url() + "/hooks"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  const auto received = receiver.received();
  REQUIRE(received.size() == delivery_lines(r.out).size());
  REQUIRE(received.front().path == "/hooks");  // session_start, at the configured URL
  int transcripts = 0, ends = 0;
  for (const auto& got : received) {
    if (got.path == "/redirected/transcripts") ++transcripts;
    if (got.path == "/redirected/end") ++ends;
  }
  CHECK(transcripts > 0);
  CHECK(ends == 1);
  CHECK(received.back().path == "/redirected/end");
}

TEST_CASE("trigger voicebot --call: a handshake answer VoiceBot would reject is a finding and exit 1",
          "[trigger_call]") {
  Receiver receiver([](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
  const auto r = run_callhook({"trigger", "voicebot", "--call", "--target", receiver.url() + "/hooks"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(contains(r.out, "finding: session_start answer"));
  CHECK(receiver.count() > 1);  // the call goes on with the configured endpoints
}

TEST_CASE("trigger --call takes no EVENT, and EVENT is needed without it", "[trigger_call]") {
  auto r = run_callhook({"trigger", "voiceflow", "runtime.call.start", "--call"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "--call sends every event"));
  r = run_callhook({"trigger", "voiceflow"});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "missing EVENT"));
}

TEST_CASE("replay --delivery resends one delivery's last attempt; an unknown key is exit 2 with a did-you-mean",
          "[trigger_call]") {
  TempDir dir;
  int calls = 0;
  std::mutex mutex;
  // The first try of every request fails, so each delivery has two attempts.
  Receiver failing_first([&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    if (++calls % 2 == 1) res.status = 500;
  });
  auto r = run_callhook({"run", "scenarios/demo.json", "--speed", "max", "--count", "1", "--target",
                         failing_first.url() + "/hooks", "--journal", dir.path("run.jsonl")});
  INFO(r.out << r.err);
  std::string key;
  std::vector<json> attempts;
  for (const auto& line : read_jsonl(dir.path("run.jsonl")))
    if (line.value("kind", "") == "attempt") attempts.push_back(line);
  REQUIRE(!attempts.empty());
  key = attempts.front().at("delivery");
  json last;
  for (const auto& a : attempts)
    if (a.at("delivery") == key) last = a;

  Receiver receiver;
  r = run_callhook({"replay", dir.path("run.jsonl"), "--delivery", key, "--target", receiver.url()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(contains(r.out, "resent " + key + ": 200"));
  const auto received = receiver.received();
  REQUIRE(received.size() == 1);
  CHECK(received[0].body == last.at("body").get<std::string>());
  CHECK(received[0].path == "/hooks");
  CHECK(received[0].header("User-Agent") == [&] {
    for (const auto& h : last.at("headers"))
      if (h.at(0) == "User-Agent") return h.at(1).get<std::string>();
    return std::string();
  }());

  r = run_callhook({"replay", dir.path("run.jsonl"), "--delivery", key + "9", "--target", receiver.url()});
  CHECK(r.exit_code == 2);
  CHECK(contains(r.err, "has no request of that delivery (did you mean " + key));
  CHECK(receiver.count() == 1);
}
