#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "util/json_writer.hpp"

using namespace callhook::util;

TEST_CASE("JsonWriter writes objects and arrays with commas in the right places", "[util][json_writer]") {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .field("name", "a")
      .field("count", 3)
      .field("big", std::uint64_t{18446744073709551615ULL})
      .field("neg", std::int64_t{-5})
      .field("ok", true)
      .key("none")
      .null()
      .key("list")
      .begin_array()
      .value(1)
      .value("two")
      .begin_object()
      .end_object()
      .raw("[false]")
      .end_array()
      .end_object();
  CHECK(out == R"({"name":"a","count":3,"big":18446744073709551615,"neg":-5,"ok":true,"none":null,)"
               R"("list":[1,"two",{},[false]]})");
  CHECK(nlohmann::json::accept(out));
}

TEST_CASE("JsonWriter::members adds members written before, with the commas around them", "[util][json_writer]") {
  std::string ids;
  JsonWriter(ids).field("a", "x\"y").field("b", 2);
  std::string out;
  JsonWriter w(out);
  w.begin_object().members(ids).field("c", 3).members("").members(ids).end_object();
  CHECK(out == R"({"a":"x\"y","b":2,"c":3,"a":"x\"y","b":2})");
  std::string alone;
  JsonWriter(alone).begin_object().members("").field("d", 4).end_object();
  CHECK(alone == R"({"d":4})");
}

TEST_CASE("append_json_string escapes what JSON requires", "[util][json_writer]") {
  const auto quoted = [](std::string_view text) {
    std::string out;
    append_json_string(out, text);
    return out;
  };
  CHECK(quoted("plain") == "\"plain\"");
  CHECK(quoted("a\"b\\c") == R"("a\"b\\c")");
  CHECK(quoted("\n\r\t\b\f") == R"("\n\r\t\b\f")");
  CHECK(quoted(std::string("\x01\x1f\0", 3)) == R"("\u0001\u001f\u0000")");
  CHECK(quoted("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E") == "\"caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x93\x9E\"");
}

TEST_CASE("append_json_string finds a character to escape at any place of a long string", "[util][json_writer]") {
  // Plain text is scanned eight bytes at a time: every byte that needs care,
  // at every offset of a word and past the last whole word, must still be
  // found. nlohmann::json escapes the same ASCII the same way.
  const std::string specials[] = {"\"", "\\", "\n", std::string("\0", 1), "\x1f", "\x7f", " ", "~"};
  for (const auto& special : specials) {
    for (std::size_t at = 0; at < 19; ++at) {
      std::string text(19, 'a');
      text.replace(at, 1, special);
      std::string out;
      append_json_string(out, text);
      INFO("offset " << at << ": " << out);
      CHECK(out == nlohmann::json(text).dump());
    }
  }
  std::string out;
  append_json_string(out, std::string(17, 'x') + "\xC3\xA9" + std::string(9, 'y') + "\xFF");
  CHECK(out == "\"" + std::string(17, 'x') + "\xC3\xA9" + std::string(9, 'y') + "\\u00ff\"");
}

TEST_CASE("append_json_string escapes dense quotes at every length as nlohmann::json does", "[util][json_writer]") {
  // A journal escapes whole JSON bodies, a quote every few bytes: runs of
  // quotes and backslashes, at any place of a word and of the tail after
  // the last whole word, must come out as a JSON library writes them, after
  // what the string already held.
  std::uint64_t state = 12345;
  const auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<unsigned>(state >> 33);
  };
  const std::string alphabet = "ab \"\\{}:,0~";
  for (std::size_t length = 0; length < 80; ++length) {
    for (int round = 0; round < 20; ++round) {
      std::string text;
      for (std::size_t i = 0; i < length; ++i) text += alphabet[next() % alphabet.size()];
      std::string out = "prefix,";
      append_json_string(out, text);
      INFO("text " << text);
      CHECK(out == "prefix," + nlohmann::json(text).dump());
    }
  }
}

TEST_CASE("append_json_string turns invalid UTF-8 into escapes, so the output always parses", "[util][json_writer]") {
  const std::string bad[] = {"\xC3", "\xC3(", "\xC0\xAF", "\xED\xA0\x80", "\xF5\x80\x80\x80", "\xFF", "ok\xE2\x82"};
  for (const auto& text : bad) {
    std::string out;
    append_json_string(out, text);
    INFO(out);
    CHECK(nlohmann::json::accept(out));
    CHECK(out.find("\\u00") != std::string::npos);
  }
  std::string out;
  append_json_string(out, "\xFF");
  CHECK(out == R"("\u00ff")");
}
