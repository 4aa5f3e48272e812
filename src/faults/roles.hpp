#pragma once
// What part an event plays in a session's story, for the named reorder
// patterns ("end_before_start" needs to know which event is the end). The
// parts are the vendor profiles' (VendorInfo::roles).
#include <string_view>

#include "vendors/vendor.hpp"

namespace callhook::faults {

using vendors::EventRole;
using vendors::Role;

// The role of a vendor's event (any event whose name mentions "transcript"
// is a transcript; an unknown vendor's events are Other).
EventRole role_of(std::string_view vendor, std::string_view event);

// The End event that closes `start` for `vendor` ("" when none does).
std::string_view end_of(std::string_view vendor, std::string_view start);

// The role of the deliveries a named reorder pattern moves (End for
// "end_before_start", Recording for "recording_before_end", Transcript for
// "transcripts_out_of_sequence"); Other for an unknown name.
Role mover_of(std::string_view pattern);

}  // namespace callhook::faults
