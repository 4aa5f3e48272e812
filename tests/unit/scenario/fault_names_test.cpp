// One list of fault names: the scenario's keys and the names in deliveries'
// fault lists.
#include <catch2/catch.hpp>

#include "scenario/fault_names.hpp"
#include "scenario/load.hpp"

using namespace callhook::scenario;

TEST_CASE("fault names: each name is its fault, entries with details count under it", "[scenario][faults]") {
  for (std::size_t i = 0; i < k_fault_names.size(); ++i) {
    const auto fault = static_cast<Fault>(i);
    CHECK(fault_name(fault) == k_fault_names[i]);
    CHECK(fault_of(k_fault_names[i]) == fault);
  }
  CHECK(fault_of("delay:120ms") == Fault::Delay);
  CHECK(fault_of("duplicate(2)") == Fault::Duplicate);
  CHECK(fault_entry_name("delay:120ms") == "delay");
  CHECK_FALSE(fault_of("end_before_start").has_value());
  CHECK_FALSE(fault_of("").has_value());
}

TEST_CASE("fault names: every name is a key a stream's faults accept, and nothing else is", "[scenario][faults]") {
  // Problems at /streams/0/faults/<key> (the catalog is empty, so the vendor
  // is a problem of its own elsewhere).
  const auto key_problems = [](const std::string& faults) {
    const LoadResult result =
        parse_scenario(R"({"streams": [{"vendor": "voiceflow", "calls": {"count": 1}, "faults": )" + faults + "}]}",
                       "inline.json", Catalog{});
    std::string out;
    for (const auto& problem : result.problems.list())
      if (problem.pointer.rfind("/streams/0/faults/", 0) == 0) out += problem.pointer + ": " + problem.message + "\n";
    return out;
  };
  for (const std::string_view name : k_fault_names) {
    CAPTURE(name);
    const std::string value = name == "delay"       ? R"({"ms": 10})"
                              : name == "duplicate" ? R"({"copies": 1})"
                              : name == "reorder"   ? R"({"p": 0.5})"
                                                    : "0.5";
    CHECK(key_problems("{\"" + std::string(name) + "\": " + value + "}").find("unknown key") == std::string::npos);
  }
  CHECK(key_problems(R"({"lost_acks": 0.5})").find("/streams/0/faults/lost_acks: unknown key") != std::string::npos);
}
