#include <catch2/catch.hpp>

#include "util/text.hpp"

using namespace callhook::util;

TEST_CASE("iequals and istarts_with ignore ASCII case only", "[util][text]") {
  CHECK(iequals("Content-Type", "content-type"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("Content-Type", "Content-Typ"));
  CHECK_FALSE(iequals("\xC3\xA9", "\xC3\x89"));  // é and É differ: not ASCII
  CHECK(istarts_with("Application/JSON; charset=utf-8", "application/json"));
  CHECK_FALSE(istarts_with("app", "application"));
  static_assert(iequals("ABC", "abc"));
}

TEST_CASE("hex_digit reads one hex digit of either case", "[util][text]") {
  CHECK(hex_digit('0') == 0);
  CHECK(hex_digit('9') == 9);
  CHECK(hex_digit('a') == 10);
  CHECK(hex_digit('F') == 15);
  CHECK(hex_digit('g') == -1);
  CHECK(hex_digit('/') == -1);
  CHECK(hex_digit(' ') == -1);
}
