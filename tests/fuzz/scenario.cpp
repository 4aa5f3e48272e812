// The scenario loader on any bytes: problems, never a crash.
#include <cstdint>
#include <string_view>

#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

using namespace callhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const scenario::Catalog catalog = vendors::catalog();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = scenario::parse_scenario(text, "fuzz.json", catalog);
  (void)result.problems.format(result.source);
  return 0;
}
