// What serve lets a run ask for: --allow-target rules, link-local and
// metadata addresses, and the per-run limits, each refused with its pointer
// into the request body.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>
#include <vector>

#include "scenario/load.hpp"
#include "serve/run_policy.hpp"
#include "serve/run_request.hpp"
#include "serve/target_policy.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;

namespace {

scenario::Scenario load(const std::string& text) {
  auto loaded = scenario::parse_scenario(text, "scenario", vendors::catalog());
  INFO(loaded.problems.format("scenario"));
  REQUIRE(loaded.scenario);
  return *loaded.scenario;
}

// The status and pointers check_scenario refuses with; 0 when it does not.
std::pair<int, std::vector<std::string>> refusal(const std::string& text, const serve::RunPolicy& policy,
                                                 bool own_concurrency = false) {
  try {
    serve::check_scenario(load(text), policy, "/scenario", own_concurrency);
  } catch (const serve::RequestRefused& e) {
    std::vector<std::string> pointers;
    for (const auto& p : e.problems().list()) pointers.push_back(p.pointer);
    return {e.status(), pointers};
  }
  return {0, {}};
}

}  // namespace

TEST_CASE("without rules, every target but link-local and metadata addresses is allowed", "[serve][targets]") {
  const serve::TargetPolicy open;
  CHECK(open.refusal("http://127.0.0.1:9/x").empty());
  CHECK(open.refusal("https://[::1]:8443/x").empty());
  CHECK(open.refusal("http://10.1.2.3/x").empty());
  for (const char* url : {"http://169.254.169.254/latest/meta-data/", "http://169.254.1.1:80/",
                          "http://[fd00:ec2::254]/latest/", "http://[fe80::1]/", "http://metadata.google.internal/",
                          "http://METADATA.google.internal./computeMetadata/v1/", "http://[::ffff:169.254.169.254]/"}) {
    INFO(url);
    const std::string why = open.refusal(url);
    CHECK(why.find("link-local or cloud metadata") != std::string::npos);
  }
}

TEST_CASE("--allow-target rules: names, host:port, addresses and CIDRs", "[serve][targets]") {
  serve::TargetPolicy policy;
  policy.allow("receiver.test");
  policy.allow("127.0.0.1:8080");
  policy.allow("10.0.0.0/8");
  policy.allow("fd12::/16");
  policy.allow("169.254.170.2");  // ECS task metadata, named on purpose
  CHECK(policy.has_rules());
  CHECK(policy.refusal("http://receiver.test/x").empty());
  CHECK(policy.refusal("http://RECEIVER.test:9000/x").empty());
  CHECK(policy.refusal("http://127.0.0.1:8080/x").empty());
  CHECK(policy.refusal("http://10.200.3.4/x").empty());
  CHECK(policy.refusal("http://[fd12:1::5]:81/x").empty());
  CHECK(policy.refusal("http://169.254.170.2/v2/credentials").empty());
  CHECK(policy.refusal("http://127.0.0.1:8081/x") ==
        "127.0.0.1:8081 is not allowed by the server's --allow-target rules");
  CHECK(policy.refusal("http://11.0.0.1/x").find("not allowed") != std::string::npos);
  CHECK(policy.refusal("http://other.test/x").find("not allowed") != std::string::npos);
  CHECK(policy.refusal("http://169.254.169.254/").find("metadata") != std::string::npos);
}

TEST_CASE("an --allow-target rule that is not a host, address or CIDR is refused", "[serve][targets]") {
  for (const char* rule : {"", "10.0.0.0/33", "10.0.0.0/x", "::/129", "name.test/8", "host:0", "host:70000"}) {
    INFO(rule);
    serve::TargetPolicy policy;
    CHECK_THROWS_AS(policy.allow(rule), std::invalid_argument);
  }
}

TEST_CASE("a run too large for the server's limits is refused at the member that sets its size", "[serve][limits]") {
  serve::RunPolicy policy;
  policy.limits.max_deliveries = 1000;
  policy.limits.max_concurrency = 100;
  CHECK(refusal(R"({"streams": [{"vendor": "atoms", "calls": {"count": 10}}]})", policy).first == 0);
  const auto [status, pointers] =
      refusal(R"({"streams": [{"vendor": "atoms", "calls": {"count": 1000000000000}}]})", policy);
  CHECK(status == 400);
  CHECK(pointers == std::vector<std::string>{"/scenario/streams/0/calls/count"});
  CHECK(refusal(R"({"streams": [{"vendor": "atoms", "calls": {"for_s": 3600, "arrival": {"rate_per_s": 5}}}]})", policy)
            .second == std::vector<std::string>{"/scenario/streams/0/calls/for_s"});
  // Each stream under the cap, the run over it.
  const std::string two = R"({"streams": [{"vendor": "atoms", "calls": {"count": 60}},
                                          {"vendor": "atoms", "calls": {"count": 60}}]})";
  CHECK(serve::estimate_deliveries(load(two).streams[0]) > 500);
  CHECK(refusal(two, policy).second == std::vector<std::string>{"/scenario/streams"});
  const std::string busy = R"({"concurrency": 101, "streams": [{"vendor": "atoms", "calls": {"count": 1}}]})";
  CHECK(refusal(busy, policy).second == std::vector<std::string>{"/scenario/concurrency"});
  CHECK(refusal(busy, policy, true).first == 0);  // the request's own concurrency was checked already
}

TEST_CASE("a scenario's targets and probe URLs go through the target policy", "[serve][targets]") {
  const serve::RunPolicy policy;
  const auto [status, pointers] = refusal(R"({"streams": [
      {"vendor": "atoms", "target": "http://127.0.0.1:9/x", "calls": {"count": 1}},
      {"vendor": "atoms", "target": "http://169.254.169.254/x", "calls": {"count": 1}}]})",
                                          policy);
  CHECK(status == 403);
  CHECK(pointers == std::vector<std::string>{"/scenario/streams/1/target"});
}

TEST_CASE("a run request's limits: concurrency, connections, threads, max_duration_s", "[serve][limits]") {
  serve::RunPolicy policy;
  policy.limits.max_concurrency = 10;
  policy.limits.max_connections = 4;
  policy.limits.max_duration_s = 60;
  util::Problems ok;
  const auto options = serve::parse_run_request(R"({"scenario": {"streams": []}, "max_duration_s": 1.5})", policy, ok);
  REQUIRE(options);
  CHECK(options->max_duration_s == 1.5);
  CHECK(options->hosted);
  util::Problems defaults;
  CHECK(serve::parse_run_request(R"({"scenario": {"streams": []}})", policy, defaults)->max_duration_s == 60);
  util::Problems problems;
  CHECK_FALSE(serve::parse_run_request(
      R"({"scenario": {"streams": []}, "concurrency": 11, "connections": 5, "threads": 65, "max_duration_s": 61})",
      policy, problems));
  std::vector<std::string> pointers;
  for (const auto& p : problems.list()) pointers.push_back(p.pointer);
  std::sort(pointers.begin(), pointers.end());
  CHECK(pointers == std::vector<std::string>{"/concurrency", "/connections", "/max_duration_s", "/threads"});
  for (const char* bad : {"0", "-1", "\"1\""}) {
    INFO(bad);
    util::Problems p;
    CHECK_FALSE(serve::parse_run_request(std::string(R"({"scenario": {"streams": []}, "max_duration_s": )") + bad + "}",
                                         policy, p));
  }
}

TEST_CASE("a run request's speed is the CLI's range", "[serve][limits]") {
  const serve::RunPolicy policy;
  for (const char* bad : {"1e21", "1e-12", "0", "-1", "\"fast\""}) {
    INFO(bad);
    util::Problems problems;
    CHECK_FALSE(serve::parse_run_request(std::string(R"({"scenario": {"streams": []}, "speed": )") + bad + "}", policy,
                                         problems));
    REQUIRE(problems.size() == 1);
    CHECK(problems.list()[0].message.find("0.001 to 1000000") != std::string::npos);
  }
  util::Problems problems;
  CHECK(serve::parse_run_request(R"({"scenario": {"streams": []}, "speed": 1000000})", policy, problems));
}
