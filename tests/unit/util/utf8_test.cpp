#include <catch2/catch.hpp>

#include "util/utf8.hpp"

using callhook::util::utf8_length;

TEST_CASE("utf8_length accepts each valid sequence whole and nothing else", "[util]") {
  CHECK(utf8_length("a", 0) == 1);
  CHECK(utf8_length("\xC3\xA9", 0) == 2);
  CHECK(utf8_length("\xE2\x9C\x93", 0) == 3);
  CHECK(utf8_length("\xF0\x9F\x93\x9E", 0) == 4);
  CHECK(utf8_length("\xC0\xAF", 0) == 0);          // overlong
  CHECK(utf8_length("\xE0\x80\xAF", 0) == 0);      // overlong
  CHECK(utf8_length("\xED\xA0\x80", 0) == 0);      // surrogate
  CHECK(utf8_length("\xF4\x90\x80\x80", 0) == 0);  // past U+10FFFF
  CHECK(utf8_length("\xE2\x9C", 0) == 0);          // cut short
  CHECK(utf8_length("\xC3(", 0) == 0);             // not a continuation
}

TEST_CASE("is_utf8: whole valid UTF-8 or not", "[util]") {
  CHECK(callhook::util::is_utf8(""));
  CHECK(callhook::util::is_utf8("plain ascii"));
  CHECK(
      callhook::util::is_utf8("Gr\xc3\xbc\xc3\x9f"
                              "e \xf0\x9f\x93\x9e"));
  CHECK_FALSE(callhook::util::is_utf8("\xff"));
  CHECK_FALSE(callhook::util::is_utf8("cut \xc3"));
  CHECK_FALSE(callhook::util::is_utf8("overlong \xc0\xaf"));
}
