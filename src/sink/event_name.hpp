#pragma once
// Which webhook a request is, read the way each vendor names its events.
#include <optional>
#include <string>
#include <string_view>

#include "util/header.hpp"

namespace callhook::sink {

// The event name of a webhook, "" when none is found, read where the vendor
// profiles say their webhooks name it (VendorInfo::webhook): first a JSON body
// key ("type", "event", "Event"), then a form body or query parameter
// ("Event"), then a value that stands for the event (Exotel VoiceBot's
// "trigger_reason", mapped to the webhook type callhook names the event by).
// Only string values count.
std::string event_name(std::string_view content_type, std::string_view body, std::string_view query);

// The vendor's id of the call a webhook belongs to, "" when none is found,
// read at the profiles' call-id pointers (VoiceBot external_id, Atoms call_id
// / callData.callId, VoiceKit data.call_id, Voiceflow's metadata call id or
// sessionID) or parameters (Fone Dynamics Call.Sid).
std::string call_id(std::string_view content_type, std::string_view body, std::string_view query);

// The delivery's id: the webhook-id or svix-id header of a signed delivery,
// else "body:" and a hash of the body (for a GET, pass the query), "" for
// an empty body. Retries and duplicates share it.
std::string delivery_id(const util::Headers& headers, std::string_view body);

}  // namespace callhook::sink
