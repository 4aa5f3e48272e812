// Overrides on JSON, form and query bodies, and the form helpers under them.
#include <catch2/catch.hpp>

#include "faults/body_edit.hpp"
#include "faults/faults.hpp"
#include "util/url.hpp"

using callhook::faults::apply_overrides;
using callhook::util::Json;
using callhook::vendors::Delivery;

namespace {

Delivery json_body(const std::string& body) {
  Delivery d;
  d.event = "e";
  d.body = body;
  return d;
}

Delivery form_body(const std::string& body) {
  Delivery d;
  d.event = "Call.Complete";
  d.content_type = "application/x-www-form-urlencoded";
  d.body = body;
  return d;
}

}  // namespace

TEST_CASE("JSON overrides set pointers, create missing members and keep key order") {
  struct Row {
    const char* body;
    std::map<std::string, Json> overrides;
    const char* expected;
  };
  const std::vector<Row> rows = {
      {R"({"b":1,"a":2})", {{"/a", 5}}, R"({"b":1,"a":5})"},
      {R"({"b":1,"a":2})", {{"/z", "new"}}, R"({"b":1,"a":2,"z":"new"})"},
      {R"({"b":{"y":1,"x":2},"a":2})", {{"/b/x", true}}, R"({"b":{"y":1,"x":true},"a":2})"},
      {R"({"b":1})", {{"/m/n/o", nullptr}}, R"({"b":1,"m":{"n":{"o":null}}})"},
      {R"({"list":[1,2,3]})", {{"/list/1", "two"}}, R"({"list":[1,"two",3]})"},
      {R"({"a~b":1,"c/d":2})", {{"/a~0b", 3}, {"/c~1d", 4}}, R"({"a~b":3,"c/d":4})"},
      {R"( { "spaced" : 1 } )", {{"/spaced", 2}}, R"({"spaced":2})"},
      {R"({"b":1})", {{"/obj", Json{{"k", "v"}}}}, R"({"b":1,"obj":{"k":"v"}})"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    Delivery d = json_body(row.body);
    apply_overrides(d, row.overrides);
    CHECK(d.body == row.expected);
  }
}

TEST_CASE("JSON overrides that cannot apply name the pointer") {
  Delivery d = json_body(R"({"a":"text"})");
  CHECK_THROWS_WITH(apply_overrides(d, {{"/a/b", 1}}), Catch::StartsWith("override /a/b of e: "));
  CHECK_THROWS_WITH(apply_overrides(d, {{"a", 1}}), Catch::StartsWith("override a of e: "));
  CHECK_THROWS_WITH(apply_overrides(d, {{"/a/b", 1}}), !Catch::Contains("json.exception"));
  Delivery bad = json_body("not json");
  CHECK_THROWS_WITH(apply_overrides(bad, {{"/a", 1}}), Catch::Contains("the body is not JSON"));
  CHECK(bad.body == "not json");
  CHECK(d.body == R"({"a":"text"})");  // a failed override leaves the body as it was
  // No overrides: the body is not even parsed, so it stays byte for byte.
  Delivery untouched = json_body("not json");
  CHECK_NOTHROW(apply_overrides(untouched, {}));
  CHECK(untouched.body == "not json");
  Delivery spaced = json_body(R"( { "kept" : 1 } )");
  apply_overrides(spaced, {});
  CHECK(spaced.body == R"( { "kept" : 1 } )");
}

TEST_CASE("form overrides replace or add parameters, encoded") {
  struct Row {
    std::string body;
    std::map<std::string, Json> overrides;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {"Call.From=%2B61400000000&Call.To=%2B61300000000",
       {{"/Call.From", "anonymous"}},
       "Call.From=anonymous&Call.To=%2B61300000000"},
      {"Call.From=x", {{"Call.Duration", 42}}, "Call.From=x&Call.Duration=42"},
      {"Call.From=x", {{"/Flag", false}}, "Call.From=x&Flag=false"},
      {"Call.From=x", {{"/Call.From", "+61 400"}}, "Call.From=%2B61%20400"},
      {"Name=a%20b&Other=1", {{"/Name", 1.5}}, "Name=1.5&Other=1"},
      {"", {{"/A", "1"}}, "A=1"},
      {"Empty=&B=2", {{"/Empty", nullptr}}, "Empty=&B=2"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.body);
    Delivery d = form_body(row.body);
    apply_overrides(d, row.overrides);
    CHECK(d.body == row.expected);
  }
}

TEST_CASE("query overrides edit the URL of a GET and leave the body") {
  Delivery d = form_body("");
  d.method = "GET";
  d.url = "http://127.0.0.1:8080/track?Call.Id=1&Call.From=%2B6140";
  apply_overrides(d, {{"/Call.From", "anonymous"}, {"/Call.Extra", "a&b"}});
  CHECK(d.url == "http://127.0.0.1:8080/track?Call.Id=1&Call.From=anonymous&Call.Extra=a%26b");
  CHECK(d.body.empty());

  Delivery bare = form_body("");
  bare.method = "GET";
  bare.url = "http://127.0.0.1:8080/track";
  apply_overrides(bare, {{"/A", 1}});
  CHECK(bare.url == "http://127.0.0.1:8080/track?A=1");
}

TEST_CASE("form helpers decode, find and replace parameters") {
  using callhook::util::form_decode;
  const auto form_get = callhook::util::form_value;
  using callhook::faults::form_set;
  CHECK(form_decode("a+b%20c%2B%zz%4") == "a b c+%zz%4");
  CHECK(form_get("A=1&B=x%20y&A=2", "B") == std::optional<std::string>("x y"));
  CHECK(form_get("A=1&A=2", "A") == std::optional<std::string>("1"));
  CHECK(form_get("A=1&Flag&C=", "Flag") == std::optional<std::string>(""));
  CHECK(form_get("A=1", "B") == std::nullopt);
  CHECK(form_get("Call%2EFrom=1", "Call.From") == std::optional<std::string>("1"));
  CHECK(form_set("A=1&B=2&C=3", "B", "z") == "A=1&B=z&C=3");
  CHECK(form_set("A=1&B=2&B=3", "B", "z") == "A=1&B=z&B=3");
  CHECK(form_set("A=1&", "B", "z") == "A=1&B=z");
}
