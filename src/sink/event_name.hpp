#pragma once
// Which webhook a request is, read the way each vendor names its events.
#include <optional>
#include <string>
#include <string_view>

namespace callhook::sink {

// The event name of a webhook, "" when none is found. Looked up in order:
// JSON body key "type" (Voiceflow), "event" (VoiceKit, Atoms), "Event"; form
// body or query parameter "Event" (Fone Dynamics); JSON "trigger_reason"
// (Exotel VoiceBot has no event field, its trigger reason — start, end,
// timer, turn_complete, ... — is the closest thing). Only string values count.
std::string event_name(std::string_view content_type, std::string_view body, std::string_view query);

}  // namespace callhook::sink
