#include <catch2/catch.hpp>

#include "cli/cli.hpp"
#include "cli/human_text.hpp"
#include "cli/options.hpp"
#include "cli/run_shape.hpp"
#include "cli/vendors_doc.hpp"
#include "vendors/vendor.hpp"

using namespace callhook::cli;

TEST_CASE("durations read as a person would say them") {
  CHECK(human_duration_ms(250) == "250 ms");
  CHECK(human_duration_ms(1500) == "1.5 s");
  CHECK(human_duration_ms(5000) == "5 s");
  CHECK(human_duration_ms(90000) == "1 min 30 s");
  CHECK(human_duration_ms(300000) == "5 min");
  CHECK(human_duration_ms(36000000) == "10 h");
  CHECK(human_duration_ms(0) == "0 ms");
}

TEST_CASE("number flags take their whole range and name the flag otherwise") {
  CHECK(parse_seed("--seed", "0") == 0);
  CHECK(parse_seed("--seed", "18446744073709551615") == 18446744073709551615ULL);
  CHECK_THROWS_WITH(parse_seed("--seed", "18446744073709551616"), Catch::Contains("--seed: expected an integer"));
  CHECK_THROWS_AS(parse_seed("--seed", "-1"), UsageError);
  CHECK_THROWS_AS(parse_seed("--seed", ""), UsageError);
  CHECK_THROWS_AS(parse_seed("--seed", "12x"), UsageError);
  CHECK(parse_integer("--count", "5", 1, 10) == 5);
  CHECK_THROWS_WITH(parse_integer("--count", "11", 1, 10), "--count: expected an integer from 1 to 10, got \"11\"");
  CHECK(parse_positive("--rate", "0.5") == 0.5);
  CHECK_THROWS_AS(parse_positive("--rate", "0"), UsageError);
  CHECK(cannot_write("--report", "/x/y", ENOENT) == "--report: cannot write /x/y: No such file or directory");
}

TEST_CASE("--json and its alias --report name one file") {
  JsonReportFlag flag;
  flag.alias = "r.json";
  CHECK(flag.path() == "r.json");
  flag.json = "r.json";
  CHECK(flag.path() == "r.json");
  flag.json = "other.json";
  CHECK_THROWS_AS(flag.path(), UsageError);
  flag.alias.clear();
  CHECK(flag.path() == "other.json");
}

TEST_CASE("every vendor's vendor_config keys come from docs/vendors.md") {
  for (const auto& v : callhook::vendors::registry()) {
    INFO(v.name);
    const auto keys = vendor_config_keys(vendors_doc(), v.name);
    REQUIRE_FALSE(keys.empty());
    for (const auto& k : keys) {
      CHECK_FALSE(k.key.empty());
      CHECK(k.key.find('`') == std::string::npos);
      CHECK_FALSE(k.type.empty());
    }
  }
  CHECK(vendor_config_keys(vendors_doc(), "nobody").empty());
}

TEST_CASE("the planned wall duration divides virtual time by the speed") {
  callhook::scenario::Scenario s;
  s.streams.resize(1);
  s.streams[0].calls.count = 7200;
  s.streams[0].calls.arrival.rate_per_s = 1;
  s.streams[0].calls.duration_s = callhook::scenario::Distribution::fixed(60);
  s.speed = 1;
  REQUIRE(planned_wall_s(s));
  CHECK(*planned_wall_s(s) == Approx(7260));
  CHECK(long_run_warning(s).find("2 h 1 min") != std::string::npos);
  s.speed = 10;
  CHECK(long_run_warning(s).empty());
  s.speed = 0;
  CHECK_FALSE(planned_wall_s(s));
}
