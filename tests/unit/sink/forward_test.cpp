#include <catch2/catch.hpp>

#include <stdexcept>

#include "sink/forward.hpp"

using callhook::sink::Forwarder;
using callhook::sink::is_hop_by_hop;

TEST_CASE("a forwarded request's path goes after the URL's path, queries joined") {
  const Forwarder to_base("http://127.0.0.1:9/base/?k=v", 1000);
  CHECK(to_base.url_for("/hooks/a%20b", "x=1") == "/base/hooks/a%20b?k=v&x=1");
  CHECK(to_base.url_for("/", "") == "/base/?k=v");
  const Forwarder to_root("http://127.0.0.1:9", 1000);
  CHECK(to_root.url_for("/hooks", "") == "/hooks");
  CHECK(to_root.url_for("", "x=1") == "/?x=1");
}

TEST_CASE("--forward takes http:// URLs only") {
  CHECK_THROWS_AS(Forwarder("https://127.0.0.1:9/", 1000), std::invalid_argument);
  CHECK_THROWS_AS(Forwarder("127.0.0.1:9", 1000), std::invalid_argument);
}

TEST_CASE("hop-by-hop headers and framing are not passed on") {
  for (const char* name : {"Connection", "keep-alive", "Transfer-Encoding", "TE", "Upgrade", "Host", "Content-Length",
                           "Proxy-Authorization"})
    CHECK(is_hop_by_hop(name));
  for (const char* name : {"Content-Type", "svix-signature", "Authorization", "User-Agent"})
    CHECK_FALSE(is_hop_by_hop(name));
}
