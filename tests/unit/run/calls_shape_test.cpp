#include "run/calls_shape.hpp"

#include <catch2/catch.hpp>

#include "run/bad_input.hpp"

using namespace callhook::run;

TEST_CASE("--count, --rate and --duration reshape one stream") {
  callhook::scenario::Scenario s;
  s.source = "x.json";
  s.streams.resize(1);
  s.streams[0].calls.count = 10;
  s.streams[0].calls.for_s = 60;
  CallsShape flags;
  flags.count = 3;
  apply_calls_shape(s, flags);
  CHECK(*s.streams[0].calls.count == 3);
  CHECK_FALSE(s.streams[0].calls.for_s);
  flags = {};
  flags.rate = 5;
  flags.duration_s = 2;
  apply_calls_shape(s, flags);
  CHECK_FALSE(s.streams[0].calls.count);
  CHECK(*s.streams[0].calls.for_s == 2);
  CHECK(s.streams[0].calls.arrival.rate_per_s == 5);
  s.streams.resize(2);
  CHECK_THROWS_AS(apply_calls_shape(s, flags), BadInput);
  CHECK_THROWS_WITH(apply_calls_shape(s, flags), Catch::Contains("one stream"));
}
