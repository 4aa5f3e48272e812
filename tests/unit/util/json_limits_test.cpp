#include <catch2/catch.hpp>

#include <string>

#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"

using namespace callhook::util;

namespace {

constexpr JsonLimits k_small{"a test input", 100, false};

std::string nested(std::size_t levels) { return std::string(levels, '[') + std::string(levels, ']'); }

std::string zeros(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "/0";
  return out;
}

}  // namespace

TEST_CASE("parse_json reads JSON within the limits", "[util][json_limits]") {
  const auto parsed = parse_json(R"({"a": [1, 2, {"b": null}]})", k_flag_json);
  REQUIRE(parsed.ok());
  CHECK(parsed.value["a"][1] == 2);
  CHECK(parsed.value["a"][2].contains("b"));

  const auto ordered = parse_ordered_json(R"({"z": 1, "a": 2})", k_flag_json);
  REQUIRE(ordered.ok());
  CHECK(ordered.value.begin().key() == "z");
}

TEST_CASE("parse_json allows 128 levels and refuses the 129th where it opens", "[util][json_limits]") {
  CHECK(parse_json(nested(k_max_json_depth), k_flag_json).ok());

  for (const std::size_t levels : {std::size_t{129}, std::size_t{100000}}) {
    INFO(levels);
    const auto parsed = parse_json(nested(levels), k_scenario_json);
    REQUIRE(parsed.failure);
    CHECK(parsed.value.is_discarded());
    CHECK(parsed.failure->kind == JsonFailure::Kind::TooDeep);
    CHECK(parsed.failure->pointer == zeros(128));
    CHECK(parsed.failure->line == 1);
    CHECK(parsed.failure->column == 129);
    CHECK(parsed.failure->message() == "nested deeper than 128 levels at line 1, column 129");
    CHECK(parsed.failure->message(true) == "nested deeper than 128 levels at column 129");
  }
}

TEST_CASE("the pointer of a breach follows keys, indices and escapes", "[util][json_limits]") {
  std::string text = "{\n  \"a/b\": [1, \"x\", {\"c~d\": \"\\\"q\", \"e\": ";
  text += nested(200);
  text += "}]}";
  const auto parsed = parse_json(text, k_scenario_json);
  REQUIRE(parsed.failure);
  // Levels: the document object, the array, the inner object, then 125 more.
  CHECK(parsed.failure->pointer == "/a~1b/2/e" + zeros(125));
  CHECK(parsed.failure->line == 2);
  CHECK(parsed.failure->column == text.find("[[") - text.find('\n') + 125);
}

TEST_CASE("syntax errors keep nlohmann's words and gain a pointer", "[util][json_limits]") {
  const auto parsed = parse_json("{\"a\": {\"b\": 1,\n  ]}}", k_flag_json);
  REQUIRE(parsed.failure);
  CHECK(parsed.failure->kind == JsonFailure::Kind::Syntax);
  CHECK(parsed.failure->pointer == "/a");
  CHECK(parsed.failure->message() ==
        "invalid JSON at line 2, column 3: syntax error while parsing object key - unexpected ']'; expected string "
        "literal");

  const auto after_member = parse_json(R"({"a": "x" ])", k_flag_json);
  REQUIRE(after_member.failure);
  CHECK(after_member.failure->pointer.empty());  // the member is complete: the object is wrong
}

TEST_CASE("a syntax error at a line break names a column on the line", "[util][json_limits][fuzz]") {
  // Found by fuzzing: nlohmann reports a newline it stopped at as column 0.
  const std::string found = "// comment\n[ /\n S[[ */.\x89\xdd\x94\xdd: [[[]]]} ]";
  for (const JsonLimits& limits : {k_scenario_json, k_answer_json}) {
    const auto parsed = parse_json(found, limits);
    REQUIRE(parsed.failure);
    CHECK(parsed.failure->kind == JsonFailure::Kind::Syntax);
    CHECK(parsed.failure->line >= 1);
    CHECK(parsed.failure->column >= 1);
  }
  const auto parsed = parse_json(found, k_scenario_json);
  CHECK(parsed.failure->line == 2);
  CHECK(parsed.failure->column == 4);
  CHECK(parsed.failure->pointer == "/0");
}

TEST_CASE("comments are allowed only where the input kind allows them", "[util][json_limits]") {
  const std::string text = "// leading\n{\"a\": /* inline [[[ */ 1}";
  CHECK(parse_json(text, k_scenario_json).ok());
  CHECK(parse_json(text, k_rules_json).ok());
  const auto strict = parse_json(text, k_answer_json);
  REQUIRE(strict.failure);
  CHECK(strict.failure->kind == JsonFailure::Kind::Syntax);

  // Brackets inside comments and strings do not count as levels.
  const std::string quoted = "{\"s\": \"" + std::string(300, '[') + "\"} /* " + std::string(300, '{') + " */";
  CHECK(parse_json(quoted, k_scenario_json).ok());
}

TEST_CASE("input over its kind's size is refused before parsing", "[util][json_limits]") {
  CHECK(parse_json(std::string(100, ' ') + "", k_small).failure->kind == JsonFailure::Kind::Syntax);
  const auto parsed = parse_json(std::string(99, ' ') + "{}", k_small);
  REQUIRE(parsed.failure);
  CHECK(parsed.failure->kind == JsonFailure::Kind::TooLarge);
  CHECK(parsed.failure->message() == "too large: 101 bytes, a test input may have at most 100 bytes");
  CHECK(size_failure(64 * k_kib, k_answer_json) == std::nullopt);
  REQUIRE(size_failure(64 * k_kib + 1, k_answer_json));
  CHECK(size_failure(64 * k_kib + 1, k_answer_json)->message() ==
        "too large: 65537 bytes, an answer may have at most 64 KiB");
}

TEST_CASE("byte_size_text names whole KiB and MiB", "[util][json_limits]") {
  CHECK(byte_size_text(100) == "100 bytes");
  CHECK(byte_size_text(1025) == "1025 bytes");
  CHECK(byte_size_text(64 * k_kib) == "64 KiB");
  CHECK(byte_size_text(64 * k_mib) == "64 MiB");
}

TEST_CASE("describe is short and never walks into a value", "[util][json_limits]") {
  CHECK(describe(Json(5)) == "5");
  CHECK(describe(Json(nullptr)) == "null");
  CHECK(describe(Json("ten")) == "\"ten\"");
  CHECK(describe(Json::object()) == "an object");
  CHECK(describe(Json::array()) == "an array");
  const std::string long_text(1000, 'x');
  CHECK(describe(Json(long_text)) == "\"" + std::string(36, 'x') + "...");
  // A cut never splits a UTF-8 character: "é" is two bytes.
  std::string accents;
  for (int i = 0; i < 30; ++i) accents += "\xC3\xA9";
  const std::string shown = describe(Json(accents));
  CHECK(shown.size() <= 40);
  CHECK(shown.substr(1, shown.size() - 4).size() % 2 == 0);

  // A value built in memory, far deeper than a parse allows, is still only "an array".
  Json deep = Json::array();
  Json* inner = &deep;
  for (int i = 0; i < 100000; ++i) {
    inner->push_back(Json::array());
    inner = &inner->back();
  }
  CHECK(describe(deep) == "an array");
}

TEST_CASE("integers written as huge floats are refused, not cast", "[util][json_limits][fuzz]") {
  // Found by fuzzing the sink's rules: 5e68 was cast to int64 (undefined).
  for (const char* text : {"5.00556e68", "-1e19", "9223372036854775808.0", "1e400"}) {
    INFO(text);
    const auto parsed = parse_json(text, k_flag_json);
    if (!parsed.ok()) continue;  // 1e400 is not a number nlohmann reads
    Problems problems;
    CHECK_FALSE(Cursor(&parsed.value, "/n", problems).integer());
    CHECK(problems.size() == 1);
  }
  Problems problems;
  const Json three = 3.0;
  CHECK(Cursor(&three, "/n", problems).integer(0, 10) == 3);
  const Json big = -9223372036854775808.0;
  CHECK(Cursor(&big, "/n", problems).integer() == INT64_MIN);
  CHECK(problems.empty());
}
