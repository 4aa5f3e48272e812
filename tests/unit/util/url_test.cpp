#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "util/url.hpp"

using namespace callhook::util;

TEST_CASE("parse_url splits http(s) URLs the way the transport needs them", "[util][url]") {
  struct Row {
    std::string text;
    std::string scheme, host;
    std::uint16_t port;
    std::string target;
  };
  const Row rows[] = {
      {"http://127.0.0.1:8080/webhooks", "http", "127.0.0.1", 8080, "/webhooks"},
      {"http://localhost", "http", "localhost", 80, "/"},
      {"https://r.test", "https", "r.test", 443, "/"},
      {"https://r.test?a=1", "https", "r.test", 443, "/?a=1"},
      {"http://r.test/a/b?x=1&y=2#part", "http", "r.test", 80, "/a/b?x=1&y=2"},
      {"http://[::1]:9000/v6", "http", "::1", 9000, "/v6"},
      {"https://[::1]/", "https", "::1", 443, "/"},
      {"http://h:65535/", "http", "h", 65535, "/"},
  };
  for (const auto& row : rows) {
    INFO(row.text);
    const auto url = parse_url(row.text);
    REQUIRE(url);
    CHECK(url->scheme == row.scheme);
    CHECK(url->host == row.host);
    CHECK(url->port == row.port);
    CHECK(url->target == row.target);
  }
}

TEST_CASE("parse_url refuses what is not an absolute http(s) URL", "[util][url]") {
  for (const char* text : {"",
                           "ftp://h/",
                           "http://",
                           "http:///x",
                           "http://user@h/",
                           "http://h:0/",
                           "http://h:65536/",
                           "http://h:8x/",
                           "http://[::1/",
                           "http://[::1]x/",
                           "//h/x",
                           "HTTP://h/",
                           "h:80",
                           "http://a:b:c/",
                           "http://::1:80/",
                           "http://x:y:/",
                           "http://h o/",
                           "http://[zz]/",
                           "http://[]/",
                           "http://[127.0.0.1]/",
                           "http://h[1]/",
                           "http://h:-1/"}) {
    INFO(text);
    CHECK_FALSE(parse_url(text));
  }
}

TEST_CASE("a URL parse_url accepts reads back the same from its own text", "[util][url][fuzz]") {
  // Found by fuzzing: an unbracketed host with colons and NUL bytes was
  // accepted, and its bracketed text then parsed differently.
  constexpr char k_found[] = "https://\0\0\0\0\0[::1]htt:p://h65GGGG84";
  const std::string found(k_found, sizeof k_found - 1);
  REQUIRE(found.size() == 35);
  CHECK_FALSE(parse_url(found));
  for (const char* text : {"http://[fe80::1%eth0]:81/x", "https://a-b.c_d~e:8443/?q#f", "http://h:/p"}) {
    INFO(text);
    const auto url = parse_url(text);
    REQUIRE(url);
    const auto again = parse_url(url->str());
    REQUIRE(again);
    CHECK(again->host == url->host);
    CHECK(again->port == url->port);
    CHECK(again->target == url->target);
  }
}

TEST_CASE("split_authority splits host and port for URLs and --listen", "[util][url]") {
  CHECK(split_authority("h:80")->host == "h");
  CHECK(split_authority("h:80")->port == "80");
  CHECK(split_authority("[::1]:9")->host == "::1");
  CHECK(split_authority(":8080")->host.empty());
  CHECK(split_authority("h")->port.empty());
  CHECK_FALSE(split_authority("::1:80"));
  CHECK_FALSE(split_authority("[::1]80"));
  CHECK_FALSE(split_authority("h:8a"));
}

TEST_CASE("origin leaves out default ports and brackets IPv6 hosts", "[util][url]") {
  CHECK(parse_url("http://h:80/x")->origin() == "http://h");
  CHECK(parse_url("https://h:443/x")->origin() == "https://h");
  CHECK(parse_url("http://h:443/x")->origin() == "http://h:443");
  CHECK(parse_url("http://[::1]:8080/x")->origin() == "http://[::1]:8080");
  CHECK(parse_url("https://[fe80::1]/x?q")->str() == "https://[fe80::1]/x?q");
}

TEST_CASE("authority brackets IPv6 hosts", "[util][url]") {
  CHECK(authority("127.0.0.1", 8080) == "127.0.0.1:8080");
  CHECK(authority("::1", 9000) == "[::1]:9000");
  CHECK(authority("localhost", 0) == "localhost:0");
}

TEST_CASE("append_query adds a query with the right separator", "[util][url]") {
  CHECK(append_query("http://h/x", "") == "http://h/x");
  CHECK(append_query("http://h/x", "a=1") == "http://h/x?a=1");
  CHECK(append_query("http://h/x?a=1", "b=2") == "http://h/x?a=1&b=2");
}

TEST_CASE("form encoding escapes all but unreserved characters and decodes back", "[util][url]") {
  CHECK(form_encode("a-b_c.d~e") == "a-b_c.d~e");
  CHECK(form_encode("+61 400/x&y=z") == "%2B61%20400%2Fx%26y%3Dz");
  CHECK(form_encode("\xC3\xA9") == "%C3%A9");
  CHECK(form_decode("a+b%2Bc%2b") == "a b+c+");
  CHECK(form_decode("%zz%4%") == "%zz%4%");  // malformed escapes stay
  for (const std::string& text :
       {std::string(), std::string("plain"), std::string("+ %&=\xC3\xA9\x01"), std::string("\0x", 2)}) {
    INFO(text);
    CHECK(form_decode(form_encode(text)) == text);
  }
}

TEST_CASE("form_value finds the first parameter by its decoded name", "[util][url]") {
  CHECK(form_value("Event=call.start&To=%2B1555", "To") == "+1555");
  CHECK(form_value("A=1&A=2", "A") == "1");
  CHECK(form_value("flag&B=2", "flag") == "");
  CHECK(form_value("My+Key=v", "My Key") == "v");
  CHECK(form_value("A=1", "B") == std::nullopt);
  CHECK(form_value("", "A") == std::nullopt);
}

TEST_CASE("loopback hosts as written: localhost, ::1 and 127.0.0.0/8", "[util][url]") {
  CHECK(is_loopback_host("127.0.0.1"));
  CHECK(is_loopback_host("127.1.2.3"));
  CHECK(is_loopback_host("::1"));
  CHECK(is_loopback_host("localhost"));
  CHECK_FALSE(is_loopback_host("0.0.0.0"));
  CHECK_FALSE(is_loopback_host("::"));
  CHECK_FALSE(is_loopback_host("192.168.1.2"));
  CHECK_FALSE(is_loopback_host("1270.0.0.1"));
}
