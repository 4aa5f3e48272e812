// Payload field overrides: one parser and one check, whether they come from
// --set/--add flags or from a request body's "set"/"add" objects.
#include <catch2/catch.hpp>

#include "run/field_sets.hpp"
#include "run/run_session.hpp"

using namespace callhook;

namespace {

// The body's "set"/"add" members as parse_field_members reads them.
std::vector<run::FieldSet> from_body(const std::string& body, util::Problems& problems) {
  static util::Json doc;
  doc = util::Json::parse(body);
  const util::Cursor root(&doc, "", problems);
  return run::parse_field_members(root, problems);
}

vendors::Delivery json_delivery(const std::string& event, const std::string& body) {
  vendors::Delivery d;
  d.event = event;
  d.content_type = "application/json";
  d.body = body;
  return d;
}

}  // namespace

TEST_CASE("flag text becomes a typed value; --add is marked", "[run]") {
  auto set = run::parse_field_flag("session_start:/bot_name=XYZ", false);
  CHECK(set.origin == "--set");
  CHECK(set.event == "session_start");
  CHECK(set.pointer == "/bot_name");
  CHECK(set.value == "XYZ");
  CHECK(run::parse_field_flag("/n=123", false).value == 123);
  CHECK(run::parse_field_flag("/n=\"123\"", false).value == "123");
  CHECK(run::parse_field_flag("n=true", true).add);
  CHECK(run::parse_field_flag("n=true", false).pointer == "/n");
  CHECK_THROWS_WITH(run::parse_field_flag("no-equals", false),
                    "--set no-equals: expected [EVENT:]POINTER=VALUE, e.g. --set /data/userID=+15550100");
  const auto sets = run::parse_field_flags({"/a=1"}, {"/b=2"});
  REQUIRE(sets.size() == 2);
  CHECK_FALSE(sets[0].add);
  CHECK(sets[1].add);
}

TEST_CASE("the same override reads the same from a flag and from a request body", "[run]") {
  util::Problems problems;
  const auto body = from_body(R"({"set": {"call_ended:/data/a": 1}, "add": {"b": "x"}})", problems);
  REQUIRE(problems.empty());
  REQUIRE(body.size() == 2);
  const auto flag = run::parse_field_flag("call_ended:/data/a=1", false);
  CHECK(body[0].event == flag.event);
  CHECK(body[0].pointer == flag.pointer);
  CHECK(body[0].value == flag.value);
  CHECK_FALSE(body[0].add);
  CHECK(body[0].origin == "/set/call_ended:~1data~1a");
  CHECK(body[1].add);
  CHECK(body[1].pointer == "/b");
  CHECK(body[1].origin == "/add/b");
}

TEST_CASE("a malformed pointer is the same problem from a flag and from a body", "[run]") {
  std::string flag_problem;
  try {
    (void)run::parse_field_flag("/a~2=1", false);
  } catch (const run::FieldSetError& e) {
    flag_problem = e.problem();
    CHECK(std::string(e.what()) == "--set /a~2: \"/a~2\" is not a JSON pointer");
  }
  CHECK(flag_problem == "\"/a~2\" is not a JSON pointer");
  util::Problems problems;
  const auto body = from_body(R"({"set": {"/a~2": 1}})", problems);
  CHECK(body.empty());
  REQUIRE(problems.size() == 1);
  CHECK(problems.list()[0].pointer == "/set/~1a~02");
  CHECK(problems.list()[0].message == flag_problem);
}

TEST_CASE("payload pointers cover JSON fields and form parameters", "[run]") {
  CHECK(run::payload_pointers(json_delivery("e", R"({"a":{"b":1},"c":[2]})")) ==
        std::vector<std::string>{"/a", "/a/b", "/c", "/c/0"});
  vendors::Delivery form;
  form.content_type = "application/x-www-form-urlencoded";
  form.body = "Event=Call.Complete&Call.Sid=X";
  CHECK(run::payload_pointers(form) == std::vector<std::string>{"/Event", "/Call.Sid"});
}

TEST_CASE("set changes a field the payload has; add may create one", "[run]") {
  const std::vector<std::string> events = {"start", "end"};
  const auto start = json_delivery("start", R"({"a":{"b":1}})");
  const auto flag = [](const std::string& text, bool add = false) { return run::parse_field_flag(text, add); };
  CHECK_NOTHROW(run::check_field_sets({flag("start:/a/b=2")}, events, {start}));
  CHECK_THROWS_WITH(run::check_field_sets({flag("strt:/a/b=2")}, events, {start}),
                    Catch::Contains("did you mean \"start\""));
  CHECK_THROWS_WITH(run::check_field_sets({flag("/a/bb=2")}, events, {start}),
                    Catch::Contains("did you mean /a/b") && Catch::Contains("--add /a/bb=2 adds a new field"));
  CHECK_NOTHROW(run::check_field_sets({flag("/a/bb=2", true)}, events, {start}));
  CHECK_NOTHROW(run::check_field_sets({flag("end:/zzz=2")}, events, {start}));  // no sample of end: unchecked

  // From a body, the message points at the member and names "add".
  util::Problems problems;
  const auto sets = from_body(R"({"set": {"/a/bb": 2}})", problems);
  try {
    run::check_field_sets(sets, events, {start});
    FAIL("an unknown field was accepted");
  } catch (const run::FieldSetError& e) {
    run::add_problem(problems, e);
  }
  REQUIRE(problems.size() == 1);
  CHECK(problems.list()[0].pointer == "/set/~1a~1bb");
  CHECK_THAT(problems.list()[0].message, Catch::Contains("did you mean /a/b") && Catch::Contains("\"add\""));

  auto d = start;
  run::apply_field_sets(d, events, {flag("/a/b=5"), flag("/a/c=\"new\"", true)});
  CHECK(util::Json::parse(d.body) == util::Json::parse(R"({"a":{"b":5,"c":"new"}})"));
  CHECK_THROWS_WITH(run::apply_field_sets(d, events, {flag("end:/a/b=1")}), Catch::Contains("sends only start"));
  CHECK_THROWS_AS(run::apply_field_sets(d, events, {flag("/a/b/x=1", true)}), run::FieldSetError);
}

TEST_CASE("a session refuses a set of a field no payload has, and takes it as an add", "[run]") {
  const std::string scenario = R"({"speed": "max", "streams": [{"vendor": "voiceflow", "calls": {"count": 1}}]})";
  for (const bool add : {false, true}) {
    run::RunOptions options;
    options.scenario_path = "scenario";
    options.scenario_text = scenario;
    options.dry_run = true;
    options.sets.push_back(run::parse_field_flag("/data/not_a_field=1", add));
    run::RunSession session(options);
    if (add)
      CHECK(session.prepare());
    else
      CHECK_THROWS_AS(session.prepare(), run::FieldSetError);
  }
}

TEST_CASE("one exit-code rule: accounting, then the interrupt, then the expectations", "[run]") {
  CHECK(run::run_exit_code(true, false, 130, true) == run::k_exit_ok);
  CHECK(run::run_exit_code(true, false, 130, false) == run::k_exit_expectations);
  CHECK(run::run_exit_code(true, true, 143, false) == 143);
  CHECK(run::run_exit_code(false, true, 130, true) == run::k_exit_cannot_run);
}
