#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "sink/rules.hpp"

using namespace callhook::sink;

namespace {

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

std::string temp_file(const std::string& name, const std::string& content) {
  const std::string path = std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/callhook_rules_" +
                           std::to_string(::getpid()) + "_" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

}  // namespace

TEST_CASE("parse_rule reads the compact syntax") {
  struct Case {
    std::string text;
    std::string path, event;
    std::vector<int> statuses;
    std::int64_t delay_ms;
    std::optional<std::string> body;
    std::string content_type;
    callhook::util::Headers headers;
  };
  const std::vector<Case> cases = {
      {"event=runtime.call.end status=500,500,200 delay_ms=50",
       "",
       "runtime.call.end",
       {500, 500, 200},
       50,
       std::nullopt,
       "application/json",
       {}},
      {"path=/hooks/* status=503", "/hooks/*", "", {503}, 0, std::nullopt, "application/json", {}},
      {"  status=429   header=Retry-After:2  ",
       "",
       "",
       {429},
       0,
       std::nullopt,
       "application/json",
       {{"Retry-After", "2"}}},
      {"path=/x body='{\"ok\": false, \"why\": \"a b; c\"}'",
       "/x",
       "",
       {},
       0,
       std::string(R"({"ok": false, "why": "a b; c"})"),
       "application/json",
       {}},
      {"body=\"hello world\" content_type=text/plain", "", "", {}, 0, std::string("hello world"), "text/plain", {}},
      {"header=X-A:1 header='X-B: two words'",
       "",
       "",
       {},
       0,
       std::nullopt,
       "application/json",
       {{"X-A", "1"}, {"X-B", "two words"}}},
      {"header=Content-Type:text/csv body=a,b", "", "", {}, 0, std::string("a,b"), "text/csv", {}},
      {"event=call.* delay_ms=0 status=200", "", "call.*", {200}, 0, std::nullopt, "application/json", {}},
      {"path=* body=", "*", "", {}, 0, std::string(), "application/json", {}},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto rules = parse_rule(c.text);
    REQUIRE(rules.size() == 1);
    const Rule& r = rules[0];
    CHECK(r.path == c.path);
    CHECK(r.event == c.event);
    CHECK(r.statuses == c.statuses);
    CHECK(r.delay_ms == c.delay_ms);
    CHECK(r.body == c.body);
    CHECK(r.content_type == c.content_type);
    REQUIRE(r.headers.size() == c.headers.size());
    for (std::size_t i = 0; i < c.headers.size(); ++i) {
      CHECK(r.headers[i].name == c.headers[i].name);
      CHECK(r.headers[i].value == c.headers[i].value);
    }
  }
}

TEST_CASE("parse_rule splits several rules at ';' outside quotes") {
  const auto rules = parse_rule("event=a status=500; event=b delay_ms=10 ;; path=/c body='x;y'");
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].event == "a");
  CHECK(rules[0].statuses == std::vector<int>{500});
  CHECK(rules[1].event == "b");
  CHECK(rules[1].delay_ms == 10);
  CHECK(rules[2].path == "/c");
  CHECK(rules[2].body == std::optional<std::string>("x;y"));
  CHECK(rules[2].source == "path=/c body='x;y'");
}

TEST_CASE("parse_rule reads body=@FILE") {
  const std::string path = temp_file("answer.json", R"({"http_code":200,"response":{"data":{}}})");
  const auto rules = parse_rule("path=/voicebot/start body=@" + path);
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].body == std::optional<std::string>(R"({"http_code":200,"response":{"data":{}}})"));
  std::remove(path.c_str());
  CHECK(message_of([&] { parse_rule("body=@" + path); }) ==
        "rule \"body=@" + path + "\": body: cannot read \"" + path + "\"");
}

TEST_CASE("parse_rule reads per=delivery and per=rule") {
  CHECK(parse_rule("status=500,200")[0].per == StatusCount::PerRule);
  CHECK(parse_rule("status=500,200 per=rule")[0].per == StatusCount::PerRule);
  CHECK(parse_rule("status=500,200 per=delivery")[0].per == StatusCount::PerDelivery);
  CHECK(parse_rules_json(R"([{"status": [500, 200], "per": "delivery"}])", "r.json")[0].per ==
        StatusCount::PerDelivery);
  CHECK_THROWS_WITH(parse_rule("status=500 per=call"),
                    R"(rule "status=500 per=call": per: expected rule or delivery, got "call")");
  CHECK_THROWS_WITH(parse_rules_json(R"([{"status": 500, "per": "call"}])", "r.json"),
                    R"(r.json: /0/per: expected rule or delivery, got "call")");
}

TEST_CASE("parse_rule names the rule and the field in its errors") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"status=abc",
       R"(rule "status=abc": status: expected status codes from 200 to 599 separated by commas, got "abc")"},
      {"status=500,,200",
       R"(rule "status=500,,200": status: expected status codes from 200 to 599 separated by commas, got "500,,200")"},
      {"status=199",
       R"(rule "status=199": status: expected status codes from 200 to 599 separated by commas, got "199")"},
      {"status=600",
       R"(rule "status=600": status: expected status codes from 200 to 599 separated by commas, got "600")"},
      {"status=", R"(rule "status=": status: expected status codes from 200 to 599 separated by commas, got "")"},
      {"delay_ms=-5", R"(rule "delay_ms=-5": delay_ms: expected an integer from 0 to 600000, got "-5")"},
      {"delay_ms=600001", R"(rule "delay_ms=600001": delay_ms: expected an integer from 0 to 600000, got "600001")"},
      {"path=hooks status=500",
       R"(rule "path=hooks status=500": path: expected a path starting with "/" (a trailing * matches a prefix), got "hooks")"},
      {"event= status=500", R"(rule "event= status=500": event: expected an event name, got "")"},
      {"stauts=500",
       R"(rule "stauts=500": unknown key "stauts" (did you mean "status"?); keys are path, event, status, per, delay_ms, body, content_type, header)"},
      {"status=500 status=200", R"(rule "status=500 status=200": status: given twice)"},
      {"status 500", R"(rule "status 500": expected KEY=VALUE, got "status")"},
      {"=500", R"(rule "=500": expected KEY=VALUE, got "")"},
      {"path=/x", R"(rule "path=/x": nothing to answer: give status, delay_ms, body or header)"},
      {"header=Retry-After status=429",
       R"(rule "header=Retry-After status=429": header: expected NAME:VALUE, got "Retry-After")"},
      {"header='Bad Name:1'", R"(rule "header='Bad Name:1'": header: expected a header name, got "Bad Name")"},
      {"header=Content-Length:5",
       R"(rule "header=Content-Length:5": header: header "Content-Length" is set by the server)"},
      {"body='abc", R"(rule "body='abc": unterminated ' quote)"},
      {"body='a'b", R"(rule "body='a'b": body: expected a space after the closing quote)"},
      {"  ", R"(rule "": empty rule)"},
      {"status=200; path=/y", R"(rule "path=/y": nothing to answer: give status, delay_ms, body or header)"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(message_of([&] { parse_rule(text); }) == expected);
  }
}

TEST_CASE("parse_rules_json reads a JSON array of rules") {
  const auto rules = parse_rules_json(R"([
    // comments are allowed
    {"event": "runtime.call.end", "status": [500, 500, 200], "delay_ms": 50},
    {"path": "/voicebot/*", "body": {"http_code": 200, "response": {"data": {}}}},
    {"status": 429, "headers": {"Retry-After": "3", "Content-Type": "text/plain"}, "body": "slow down"}
  ])",
                                      "rules.json");
  REQUIRE(rules.size() == 3);
  CHECK(rules[0].event == "runtime.call.end");
  CHECK(rules[0].statuses == std::vector<int>{500, 500, 200});
  CHECK(rules[0].delay_ms == 50);
  CHECK_FALSE(rules[0].body.has_value());
  CHECK(rules[0].source == "rules.json#/0");
  CHECK(rules[1].path == "/voicebot/*");
  CHECK(rules[1].body == std::optional<std::string>(R"({"http_code":200,"response":{"data":{}}})"));
  CHECK(rules[2].statuses == std::vector<int>{429});
  CHECK(rules[2].body == std::optional<std::string>("slow down"));
  CHECK(rules[2].content_type == "text/plain");
  REQUIRE(rules[2].headers.size() == 1);
  CHECK(rules[2].headers[0].name == "Retry-After");
  CHECK(rules[2].headers[0].value == "3");
}

TEST_CASE("parse_rules_json reports every problem with its JSON pointer") {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"status": 500})", "r.json: /: expected an array, got an object"},
      {R"([{"status": [500, 700], "delay_ms": -1, "pth": "/x"}])",
       "r.json: /0/pth: unknown key (did you mean \"path\"?)\n"
       "r.json: /0/status/1: expected an integer from 200 to 599, got 700\n"
       "r.json: /0/delay_ms: expected an integer from 0 to 600000, got -1"},
      {R"([{"status": []}, {"path": "x", "status": 200}, 5])",
       "r.json: /0/status: expected at least one status code\n"
       "r.json: /0: nothing to answer: give status, delay_ms, body or header\n"
       "r.json: /1/path: expected a path starting with \"/\" (a trailing * matches a prefix), got \"x\"\n"
       "r.json: /2: expected an object, got 5"},
      {R"([{"headers": {"X-A": 1}, "status": 200}])", "r.json: /0/headers/X-A: expected a string, got 1"},
      // Found by fuzzing: a float status far outside int64 was cast (undefined behaviour).
      {R"([{"status": [5.00556e68, 700]}])",
       "r.json: /0/status/0: expected an integer from 200 to 599, got 5.00556e+68\n"
       "r.json: /0/status/1: expected an integer from 200 to 599, got 700\n"
       "r.json: /0: nothing to answer: give status, delay_ms, body or header"},
      {R"([{"status": 200,}])",
       "r.json: /0: invalid JSON at line 1, column 17: syntax error while parsing object key - unexpected '}'; "
       "expected string literal"},
  };
  for (const auto& [text, expected] : cases) {
    INFO(text);
    CHECK(message_of([&] { parse_rules_json(text, "r.json"); }) == expected);
  }
}

TEST_CASE("parse_rules_file reads a file and names it in errors") {
  const std::string path = temp_file("rules.json", R"([{"event": "call.end", "status": [503, 200]}])");
  const auto rules = parse_rules_file(path);
  REQUIRE(rules.size() == 1);
  CHECK(rules[0].statuses == std::vector<int>{503, 200});
  std::remove(path.c_str());
  CHECK(message_of([&] { parse_rules_file(path); }) == "rules file: cannot read \"" + path + "\"");
}

TEST_CASE("rules match by exact path, path prefix and event") {
  struct Case {
    std::string rule_path, rule_event, path, event;
    bool match;
  };
  const std::vector<Case> cases = {
      {"", "", "/anything", "", true},
      {"/hooks", "", "/hooks", "x", true},
      {"/hooks", "", "/hooks/a", "x", false},
      {"/hooks/*", "", "/hooks/a/b", "", true},
      {"/hooks/*", "", "/hooks", "", false},
      {"/hooks*", "", "/hooks", "", true},
      {"*", "", "/", "", true},
      {"", "call.end", "/x", "call.end", true},
      {"", "call.end", "/x", "call.ended", false},
      {"", "call.*", "/x", "call.ended", true},
      {"", "call.end", "/x", "", false},
      {"/a", "e", "/a", "e", true},
      {"/a", "e", "/b", "e", false},
      {"/a", "e", "/a", "f", false},
  };
  for (const auto& c : cases) {
    INFO(c.rule_path << " " << c.rule_event << " vs " << c.path << " " << c.event);
    Rule rule;
    rule.path = c.rule_path;
    rule.event = c.rule_event;
    CHECK(rule_matches(rule, c.path, c.event) == c.match);
  }
}

TEST_CASE("match_rule picks the first matching rule") {
  const auto rules = parse_rule("event=a status=500; path=/x/* status=501; status=502");
  CHECK(match_rule(rules, "/x/1", "a") == std::optional<std::size_t>(0));
  CHECK(match_rule(rules, "/x/1", "b") == std::optional<std::size_t>(1));
  CHECK(match_rule(rules, "/y", "b") == std::optional<std::size_t>(2));
  CHECK_FALSE(match_rule(std::vector<Rule>{}, "/y", "b").has_value());
}

TEST_CASE("rule_status walks the status sequence and repeats the last") {
  Rule rule;
  CHECK(rule_status(rule, 0) == 200);
  CHECK(rule_status(rule, 7) == 200);
  rule.statuses = {500, 502, 200};
  const std::vector<int> expected = {500, 502, 200, 200, 200};
  for (std::uint64_t n = 0; n < expected.size(); ++n) CHECK(rule_status(rule, n) == expected[n]);
  CHECK(rule_status(rule, UINT64_MAX) == 200);
}
