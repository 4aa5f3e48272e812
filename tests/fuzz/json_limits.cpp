// parse_json on any bytes: never a crash, a value within the depth limit or a
// failure with a place inside the text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"

using namespace callhook::util;

namespace {

std::size_t depth_of(const Json& value) {
  std::size_t deepest = 0;
  if (value.is_structured())
    for (const auto& child : value) deepest = std::max(deepest, depth_of(child));
  return value.is_structured() ? deepest + 1 : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const JsonLimits& limits : {k_scenario_json, k_answer_json}) {
    const auto parsed = parse_json(text, limits);
    if (parsed.ok()) {
      if (depth_of(parsed.value) > k_max_json_depth) std::abort();
      (void)describe(parsed.value);
      continue;
    }
    const JsonFailure& failure = *parsed.failure;
    if (failure.kind != JsonFailure::Kind::TooLarge && (failure.line == 0 || failure.column == 0)) std::abort();
    if (!failure.pointer.empty() && failure.pointer.front() != '/') std::abort();
    (void)failure.message();
  }
  return 0;
}
