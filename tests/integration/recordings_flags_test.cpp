// --recordings-listen pins the recording server, so bodies holding recording
// URLs repeat byte for byte; --recordings-url sets the base they are built on.
#include <catch2/catch.hpp>

#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;

namespace {

std::vector<std::string> bodies_of(const std::vector<std::string>& extra) {
  Receiver receiver;
  std::vector<std::string> args = {"run",        "scenarios/voicekit-basic.json",
                                   "--target",   receiver.url() + "/hooks",
                                   "--speed",    "max",
                                   "--progress", "never",
                                   "--quiet"};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto result = run_callhook(args);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  std::vector<std::string> bodies;
  for (const auto& r : receiver.received()) bodies.push_back(r.body);
  std::sort(bodies.begin(), bodies.end());
  return bodies;
}

bool any_contains(const std::vector<std::string>& bodies, const std::string& text) {
  return std::any_of(bodies.begin(), bodies.end(),
                     [&](const std::string& b) { return b.find(text) != std::string::npos; });
}

}  // namespace

TEST_CASE("voicekit-basic with --recordings-listen gives identical bodies run after run", "[integration][recordings]") {
  const std::string listen = "127.0.0.1:" + std::to_string(free_port());
  const auto first = bodies_of({"--recordings-listen", listen});
  const auto second = bodies_of({"--recordings-listen", listen});
  REQUIRE(!first.empty());
  REQUIRE(any_contains(first, "http://" + listen + "/recordings/"));
  CHECK(first == second);
}

TEST_CASE("--recordings-url is the base written into payloads", "[integration][recordings]") {
  const auto bodies = bodies_of({"--recordings-url", "http://callhook:9100/recordings/"});
  CHECK(any_contains(bodies, "http://callhook:9100/recordings/"));
  CHECK_FALSE(any_contains(bodies, "127.0.0.1"));

  const auto bad = run_callhook({"run", "scenarios/voicekit-basic.json", "--recordings-url", "callhook:9100"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("--recordings-url: expected an http:// or https:// URL") != std::string::npos);
  const auto bad_listen = run_callhook({"run", "scenarios/voicekit-basic.json", "--recordings-listen", "host:99999"});
  CHECK(bad_listen.exit_code == 2);
  CHECK(bad_listen.err.find("--recordings-listen: expected HOST:PORT") != std::string::npos);
}
