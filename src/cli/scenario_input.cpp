#include "cli/scenario_input.hpp"

#include <cstdlib>
#include <iostream>
#include <iterator>
#include <string_view>

#include "vendors/vendor.hpp"

namespace callhook::cli {

scenario::LoadResult load_scenario_arg(const std::string& path) {
  if (path != "-") return scenario::load_scenario(path, vendors::catalog());
  const std::string text{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  return scenario::parse_scenario(text, "<stdin>", vendors::catalog());
}

bool dry_run() {
  const char* value = std::getenv("CALLHOOK_DRY_RUN");
  return value != nullptr && std::string_view(value) == "1";
}

}  // namespace callhook::cli
