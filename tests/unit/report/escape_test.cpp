#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "report/escape.hpp"

using namespace callhook::report;

TEST_CASE("valid_utf8 keeps valid text and replaces invalid bytes") {
  struct Row {
    std::string input, expected;
  };
  const std::string r = "\xEF\xBF\xBD";
  const std::vector<Row> table = {
      {"plain ascii", "plain ascii"},
      {"caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x93\x9E", "caf\xC3\xA9 \xE2\x9C\x93 \xF0\x9F\x93\x9E"},
      {"\xff", r},
      {"a\xC3", "a" + r},                   // truncated sequence
      {"\xC0\xAF", r + r},                  // overlong '/'
      {"\xED\xA0\x80", r + r + r},          // UTF-16 surrogate
      {"\xF4\x90\x80\x80", r + r + r + r},  // past U+10FFFF
      {"\xE2\x9C", r + r},
  };
  for (const Row& row : table) {
    INFO(row.input);
    CHECK(valid_utf8(row.input) == row.expected);
  }
}

TEST_CASE("xml_escape and printable") {
  CHECK(xml_escape("a<b>&\"c\"'d'") == "a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;");
  CHECK(xml_escape("line\nnext\ttab\x01\x1b") == "line&#10;next&#9;tab\\x01\\x1b");
  CHECK(printable("red \x1b[31m\x7f ok") == "red \\x1b[31m\\x7f ok");
  CHECK(printable("caf\xC3\xA9\xff") == "caf\xC3\xA9\xEF\xBF\xBD");
}
