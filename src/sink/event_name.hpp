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

// The decoded value of the first `key` in application/x-www-form-urlencoded
// text ("a=1&Event=Call.Initiate"), or nullopt when the key is absent.
std::optional<std::string> form_value(std::string_view form, std::string_view key);

// Percent-decoding for form and query text: "+" is a space, "%2B" a plus.
// Malformed escapes are kept as they are.
std::string form_decode(std::string_view text);

}  // namespace callhook::sink
