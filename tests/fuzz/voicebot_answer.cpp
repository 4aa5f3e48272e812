// VoiceBot's handshake answers (session_start, pre_agent_transfer) on any
// bytes: overrides or problems, never a crash.
#include <cstdint>
#include <string>

#include "vendors/voicebot.hpp"

using namespace callhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  util::Problems problems;
  (void)vendors::parse_session_start_answer(body, problems);
  (void)vendors::parse_agent_transfer_answer(body, problems);
  (void)problems.format("answer");
  return 0;
}
