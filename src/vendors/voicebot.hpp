#pragma once
// Exotel VoiceBot: session_start (blocking; its answer may override the later
// webhook URLs, the insight interval and the greeting for that session),
// transcript events per turn, insights on a timer, pre_agent_transfer
// (blocking) and session_end, all in the common request format.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "util/json_cursor.hpp"
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// The VoiceBot profile.
const VendorInfo& voicebot_info();

// What a session_start answer changes for its session.
struct VoiceBotOverrides {
  std::optional<std::string> greeting;
  std::map<std::string, std::string> session_constants;
  std::optional<std::string> conversation_assistant_id;
  std::map<std::string, std::string> urls;  // webhook type ("session_end", ...) -> url
  std::optional<std::string> insights_trigger_type;
  std::optional<std::int64_t> trigger_interval_sec;
};

// Reads a session_start answer body strictly against the documented shape;
// every problem goes to `problems` with its JSON pointer. The overrides are
// meant to be applied only when no problem was added.
VoiceBotOverrides parse_session_start_answer(const std::string& body, util::Problems& problems);

// Reads a pre_agent_transfer answer body the same way; returns the
// agent_transfer_message text when the answer carries one.
std::optional<std::string> parse_agent_transfer_answer(const std::string& body, util::Problems& problems);

}  // namespace callhook::vendors
