// Every complete example in docs/scenario.md (the ```jsonc blocks) is valid.
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook::scenario;

TEST_CASE("the scenario reference's examples load without problems", "[scenario][docs]") {
  std::ifstream in(std::string(CALLHOOK_SOURCE_DIR) + "/docs/scenario.md");
  REQUIRE(in);
  std::vector<std::string> examples;
  std::string line, block;
  bool inside = false;
  while (std::getline(in, line)) {
    if (!inside && line == "```jsonc") {
      inside = true;
      block.clear();
    } else if (inside && line == "```") {
      inside = false;
      examples.push_back(block);
    } else if (inside) {
      block += line + "\n";
    }
  }
  REQUIRE(examples.size() >= 8);
  for (std::size_t i = 0; i < examples.size(); ++i) {
    CAPTURE(i, examples[i]);
    const LoadResult result = parse_scenario(examples[i], "docs/scenario.md", callhook::vendors::catalog());
    CHECK(result.problems.format(result.source) == "");
    CHECK(result.scenario.has_value());
  }
}
