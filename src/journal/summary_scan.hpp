#pragma once
// A fast, allocation-light scan of one journal record for the fields reports
// need: its bulky fields (journal/fields.hpp: headers, bodies, answers) are
// skipped, not decoded. It accepts only the shape JournalWriter writes;
// anything else returns false and the caller reads the line strictly.
#include <optional>
#include <string_view>

#include "journal/reader.hpp"

namespace callhook::journal {

// The record in `line`, its bulky fields (journal/fields.hpp) left empty,
// when it is a well-formed record of the shape JournalWriter writes with
// every required field present and of the right type; nullopt otherwise.
std::optional<Entry> scan_summary(std::string_view line);

}  // namespace callhook::journal
