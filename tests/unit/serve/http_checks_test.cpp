// What serve checks before a route: the route and its methods, Host,
// Origin, the bearer token, the content type; the request target's decoding.
#include <catch2/catch.hpp>

#include "serve/http_router.hpp"
#include "serve/request_checks.hpp"
#include "serve/serve_options.hpp"

using namespace callhook;
namespace http = boost::beast::http;

namespace {

serve::ApiRequest request(http::verb method, const std::string& path,
                          std::vector<std::pair<std::string, std::string>> headers) {
  serve::ApiRequest req;
  req.message.method(method);
  req.message.version(11);
  req.path = path;
  for (const auto& [name, value] : headers) req.message.set(name, value);
  return req;
}

}  // namespace

TEST_CASE("the router tells a wrong method (with the path's methods) from an unknown path", "[serve]") {
  serve::Router router;
  int called = 0;
  router.add(http::verb::get, "/runs/{}", [&](serve::ApiRequest&, const auto&) { ++called; });
  router.add(http::verb::delete_, "/runs/{}", [&](serve::ApiRequest&, const auto&) { ++called; });
  router.add(http::verb::get, "/explores/{}/failures/{#}", [&](serve::ApiRequest&, const auto&) { ++called; });

  auto found = router.match(http::verb::get, "/runs/run-7");
  REQUIRE(found.handler);
  CHECK(found.captures == std::vector<std::string>{"run-7"});
  auto wrong = router.match(http::verb::put, "/runs/run-7");
  CHECK_FALSE(wrong.handler);
  CHECK(wrong.allow == "GET, DELETE");
  CHECK(router.match(http::verb::get, "/runs/run-7/nope").allow.empty());
  CHECK(router.match(http::verb::get, "/runs/").allow.empty());
  CHECK(router.match(http::verb::get, "/explores/e-1/failures/x").allow.empty());
  CHECK(router.match(http::verb::get, "/explores/e-1/failures/12").captures == std::vector<std::string>{"e-1", "12"});
}

TEST_CASE("Host must be the listen address, a loopback name or an allowed host", "[serve]") {
  serve::RequestRules rules;
  rules.listen_host = "10.1.2.3";
  rules.allow_hosts = {"callhook.internal"};
  const auto status = [&](const std::string& host) {
    const auto refusal = serve::refuse_caller(rules, request(http::verb::get, "/runs", {{"Host", host}}));
    return refusal ? refusal->status : 200u;
  };
  CHECK(status("127.0.0.1:8700") == 200);
  CHECK(status("LOCALHOST:1") == 200);
  CHECK(status("[::1]:8700") == 200);
  CHECK(status("10.1.2.3:8700") == 200);
  CHECK(status("callhook.internal") == 200);
  CHECK(status("evil.example:8700") == 403);
  CHECK(status("127.0.0.1.evil.example") == 403);
  CHECK(serve::refuse_caller(rules, request(http::verb::get, "/runs", {}))->status == 400);  // HTTP/1.1 needs one
}

TEST_CASE("an Origin is refused unless allowed, before the token is looked at", "[serve]") {
  serve::RequestRules rules;
  rules.token = "s3cret";
  rules.allow_origins = {"http://app.example"};
  rules.open_paths = {"/healthz"};
  const auto status = [&](std::vector<std::pair<std::string, std::string>> headers, const std::string& path) {
    headers.emplace_back("Host", "127.0.0.1");
    const auto refusal = serve::refuse_caller(rules, request(http::verb::post, path, headers));
    return refusal ? refusal->status : 200u;
  };
  CHECK(status({{"Origin", "http://evil.example"}, {"Authorization", "Bearer s3cret"}}, "/runs") == 403);
  CHECK(status({{"Origin", "null"}}, "/healthz") == 403);
  CHECK(status({{"Origin", "http://app.example"}, {"Authorization", "bearer s3cret"}}, "/runs") == 200);
  CHECK(status({{"Authorization", "BEARER   s3cret"}}, "/runs") == 200);
  CHECK(status({{"Authorization", "Bearer s3cre"}}, "/runs") == 401);
  CHECK(status({{"Authorization", "Basic s3cret"}}, "/runs") == 401);
  CHECK(status({}, "/healthz") == 200);
  CHECK(serve::bearer_token("Bearer") == std::nullopt);
}

TEST_CASE("a CORS preflight needs no token but an allowed Origin", "[serve]") {
  serve::RequestRules rules;
  rules.token = "s3cret";
  rules.allow_origins = {"http://app.example"};
  const auto status = [&](http::verb method, const std::string& origin) {
    const auto refusal =
        serve::refuse_caller(rules, request(method, "/runs", {{"Host", "127.0.0.1"}, {"Origin", origin}}));
    return refusal ? refusal->status : 200u;
  };
  CHECK(status(http::verb::options, "http://app.example") == 200);
  CHECK(status(http::verb::options, "http://evil.example") == 403);
  CHECK(status(http::verb::post, "http://app.example") == 401);
}

TEST_CASE("a POST must say application/json", "[serve]") {
  CHECK_FALSE(serve::refuse_content_type(request(http::verb::post, "/runs", {{"Content-Type", "application/json"}})));
  CHECK_FALSE(serve::refuse_content_type(
      request(http::verb::post, "/runs", {{"Content-Type", "Application/JSON; charset=utf-8"}})));
  CHECK(serve::refuse_content_type(request(http::verb::post, "/runs", {{"Content-Type", "text/plain"}}))->status ==
        415);
  CHECK(serve::refuse_content_type(request(http::verb::post, "/runs", {}))->status == 415);
  CHECK_FALSE(serve::refuse_content_type(request(http::verb::get, "/runs", {})));
}

TEST_CASE("a request target is split and percent-decoded", "[serve]") {
  std::string path;
  std::map<std::string, std::string, std::less<>> query;
  REQUIRE(serve::parse_target("/runs/run%2D1?wait=1.5&format=a+b&purge", path, query));
  CHECK(path == "/runs/run-1");
  CHECK(query["wait"] == "1.5");
  CHECK(query["format"] == "a b");
  CHECK(query.count("purge") == 1);
  CHECK_FALSE(serve::parse_target("/runs/%zz", path, query));
  CHECK_FALSE(serve::parse_target("/runs?x=%4", path, query));
}

TEST_CASE("the loopback check resolves the name", "[serve]") {
  CHECK(serve::resolves_to_loopback("127.0.0.1"));
  CHECK(serve::resolves_to_loopback("localhost"));
  CHECK_FALSE(serve::resolves_to_loopback("0.0.0.0"));
  CHECK_FALSE(serve::resolves_to_loopback("::"));
  CHECK_FALSE(serve::resolves_to_loopback("no-such-name.invalid"));
}
