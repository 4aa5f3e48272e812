#include "faults/roles.hpp"

namespace callhook::faults {

EventRole role_of(std::string_view vendor, std::string_view event) {
  if (const auto* info = vendors::find_vendor(vendor))
    for (const auto& e : info->roles)
      if (e.event == event) return e;
  if (event.find("transcript") != std::string_view::npos) return {std::string(event), Role::Transcript, {}};
  return {std::string(event), Role::Other, {}};
}

std::string_view end_of(std::string_view vendor, std::string_view start) {
  if (const auto* info = vendors::find_vendor(vendor))
    for (const auto& e : info->roles)
      if (e.role == Role::End && e.partner == start) return e.event;
  return {};
}

Role mover_of(std::string_view pattern) {
  if (pattern == "end_before_start") return Role::End;
  if (pattern == "recording_before_end") return Role::Recording;
  if (pattern == "transcripts_out_of_sequence") return Role::Transcript;
  return Role::Other;
}

}  // namespace callhook::faults
