#pragma once
// A fixed catalog for loader tests, so they do not depend on the vendor
// profiles; names follow the profiles' so the documented examples hold.
#include "scenario/load.hpp"

namespace callhook::scenario::testing {

inline Catalog test_catalog() {
  Catalog catalog;
  catalog.events = {
      {"voiceflow", {"runtime.call.start", "runtime.call.end", "runtime.session.start", "runtime.session.end"}},
      {"voicebot", {"session_start", "session_end", "pre_agent_transfer", "insights_events", "transcript_events"}},
      {"atoms", {"call.start", "call.end", "analytics.completed"}},
      {"fonedynamics", {"Call.Initiate", "Call.Complete"}},
      {"voicekit", {"callStartedHook", "call_started", "call_ended", "call_finalized"}},
  };
  catalog.platforms = {{"voiceflow", {"twilio", "web-voice", "telnyx", "vonage"}},
                       {"voicebot", {"pstn", "sip"}},
                       {"atoms", {"phone"}},
                       {"fonedynamics", {"phone"}},
                       {"voicekit", {"phone", "web"}}};
  catalog.signing = {{"voiceflow", "svix"}, {"atoms", "x-signature"}, {"voicebot", "none"}};
  catalog.facts = {{"voiceflow", {"user_id", "project_id", "environment_id"}}};
  return catalog;
}

}  // namespace callhook::scenario::testing
