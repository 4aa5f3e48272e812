// The "expect" names and which way each one limits a run.
#include <catch2/catch.hpp>

#include "scenario/expectations.hpp"

using namespace callhook::scenario;

TEST_CASE("expectation bounds follow one rule", "[scenario][expect]") {
  for (const auto& info : expectation_catalog()) {
    CAPTURE(info.name);
    const std::string name(info.name);
    const bool lower =
        name.rfind("min_", 0) == 0 || name == "delivered" || name == "planned" || name == "rejected_as_expected";
    const Bound rule = lower ? Bound::AtLeast : Bound::AtMost;
    CHECK(info.bound == rule);
    CHECK(find_expectation(info.name) == &info);
    CHECK_FALSE(info.meaning.empty());
  }
  CHECK(find_expectation("p99_latency") == nullptr);
}

TEST_CASE("expectation_met compares in the bound's direction", "[scenario][expect]") {
  struct Row {
    Bound bound;
    double limit, actual;
    bool met;
  };
  const std::vector<Row> table = {
      {Bound::AtMost, 250, 249.9, true},   {Bound::AtMost, 250, 250, true}, {Bound::AtMost, 250, 250.1, false},
      {Bound::AtMost, 0, 1, false},        {Bound::AtLeast, 0.99, 1, true}, {Bound::AtLeast, 0.99, 0.99, true},
      {Bound::AtLeast, 0.99, 0.98, false}, {Bound::AtLeast, 40, 41, true},  {Bound::AtLeast, 40, 39, false},
  };
  for (const auto& row : table) {
    CAPTURE(bound_symbol(row.bound), row.limit, row.actual);
    CHECK(expectation_met(row.bound, row.limit, row.actual) == row.met);
  }
}

TEST_CASE("only upper limits on values that never go down can abort a run", "[scenario][expect]") {
  for (const auto& info : expectation_catalog()) {
    CAPTURE(info.name);
    const std::string name(info.name);
    if (info.can_abort) CHECK(info.bound == Bound::AtMost);
    if (name.find("p50") != std::string::npos || name.find("p90") != std::string::npos ||
        name.find("p99") != std::string::npos || name.rfind("min_", 0) == 0)
      CHECK_FALSE(info.can_abort);
  }
  CHECK(find_expectation("failed")->can_abort);
  CHECK(find_expectation("max_latency_ms")->can_abort);
  CHECK(abortable_names().rfind("failed, dropped", 0) == 0);
}
