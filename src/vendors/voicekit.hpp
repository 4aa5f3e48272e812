#pragma once
// VoiceKit (LiveKit based): call_started, call_ended and call_finalized
// (once the recording is ready), with an optional blocking callStartedHook
// before the call runs whose answer may change the call's runtime data.
#include <optional>
#include <string>

#include "util/json_cursor.hpp"
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// The VoiceKit profile.
const VendorInfo& voicekit_info();

// What a callStartedHook answer changes for its call.
struct VoiceKitHookOverrides {
  util::Json runtime_data = util::Json::object();  // merged over the call's runtime data
  bool has_runtime_data = false;
  std::optional<std::string> phone_number;
};

// Reads a callStartedHook answer body strictly (a JSON object with only
// "runtime_data" and "phone_number"); every problem goes to `problems` with
// its JSON pointer, and the overrides apply only when there is none.
VoiceKitHookOverrides parse_call_started_hook_answer(const std::string& body, util::Problems& problems);

}  // namespace callhook::vendors
