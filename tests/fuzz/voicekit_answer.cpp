// VoiceKit's callStartedHook answer on any bytes: overrides or problems,
// never a crash.
#include <cstdint>
#include <string>

#include "vendors/voicekit.hpp"

using namespace callhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  util::Problems problems;
  (void)vendors::parse_call_started_hook_answer(body, problems);
  (void)problems.format("answer");
  return 0;
}
