#include "faults/roles.hpp"

#include <array>

namespace callhook::faults {

namespace {

struct Entry {
  std::string_view vendor;
  std::string_view event;
  EventRole role;
};

// Voiceflow pairs calls and sessions separately: a caller who calls back
// reuses the session, so call.end closes call.start, session.end session.start.
constexpr std::array k_roles = {
    Entry{"voiceflow", "runtime.call.start", {Role::Start, {}}},
    Entry{"voiceflow", "runtime.session.start", {Role::Start, {}}},
    Entry{"voiceflow", "runtime.call.end", {Role::End, "runtime.call.start"}},
    Entry{"voiceflow", "runtime.session.end", {Role::End, "runtime.session.start"}},
    Entry{"voicebot", "session_start", {Role::Start, {}}},
    Entry{"voicebot", "session_end", {Role::End, "session_start"}},
    Entry{"voicebot", "transcript_events", {Role::Transcript, {}}},
    Entry{"atoms", "call.start", {Role::Start, {}}},
    Entry{"atoms", "call.end", {Role::End, "call.start"}},
    Entry{"atoms", "pre-conversation", {Role::Start, {}}},
    Entry{"atoms", "post-conversation", {Role::End, "pre-conversation"}},
    Entry{"fonedynamics", "Call.Initiate", {Role::Start, {}}},
    Entry{"fonedynamics", "Call.Complete", {Role::End, "Call.Initiate"}},
    Entry{"voicekit", "call_started", {Role::Start, {}}},
    Entry{"voicekit", "call_ended", {Role::End, "call_started"}},
    Entry{"voicekit", "call_finalized", {Role::Recording, "call_ended"}},
};

}  // namespace

EventRole role_of(std::string_view vendor, std::string_view event) {
  for (const auto& e : k_roles)
    if (e.vendor == vendor && e.event == event) return e.role;
  if (event.find("transcript") != std::string_view::npos) return {Role::Transcript, {}};
  return {};
}

std::string_view end_of(std::string_view vendor, std::string_view start) {
  for (const auto& e : k_roles)
    if (e.vendor == vendor && e.role.role == Role::End && e.role.partner == start) return e.event;
  return {};
}

Role mover_of(std::string_view pattern) {
  if (pattern == "end_before_start") return Role::End;
  if (pattern == "recording_before_end") return Role::Recording;
  if (pattern == "transcripts_out_of_sequence") return Role::Transcript;
  return Role::Other;
}

}  // namespace callhook::faults
