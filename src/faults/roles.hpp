#pragma once
// What part an event plays in a session's story, for the named reorder
// patterns ("end_before_start" needs to know which event is the end).
#include <string_view>

namespace callhook::faults {

enum class Role { Other, Start, End, Recording, Transcript };

struct EventRole {
  Role role = Role::Other;
  // For an End, the Start it closes; for a Recording, the End it follows.
  std::string_view partner;
};

// The role of a vendor's event (the five profiles' names; any event whose
// name mentions "transcript" is a transcript).
EventRole role_of(std::string_view vendor, std::string_view event);

// The End event that closes `start` for `vendor` ("" when none does).
std::string_view end_of(std::string_view vendor, std::string_view start);

// The role of the deliveries a named reorder pattern moves (End for
// "end_before_start", Recording for "recording_before_end", Transcript for
// "transcripts_out_of_sequence"); Other for an unknown name.
Role mover_of(std::string_view pattern);

}  // namespace callhook::faults
