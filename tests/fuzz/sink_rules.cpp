// The sink's rules, as a JSON file and in the compact --respond syntax: rules
// or std::invalid_argument, never a crash.
#include <cstdint>
#include <stdexcept>
#include <string_view>

#include "sink/rules.hpp"

using namespace callhook::sink;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // Compact rules may name files with "body=@PATH"; the fuzzer's text must not read them.
  const bool names_file = text.find('@') != std::string_view::npos;
  for (const bool json : {true, false}) {
    if (!json && names_file) continue;
    try {
      const auto rules = json ? parse_rules_json(text, "fuzz.json") : parse_rule(text);
      for (const auto& rule : rules) (void)rule_status(rule, 3);
      (void)match_rule(rules, "/hooks", "call.start");
    } catch (const std::invalid_argument&) {
    }
  }
  return 0;
}
