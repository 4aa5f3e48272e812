#pragma once
// A fast, allocation-light scan of one journal record for the fields reports
// need (journal/reader.hpp RecordSummary): strings it does not need are
// skipped, not decoded. It accepts only the shape JournalWriter writes;
// anything else returns false and the caller reads the line strictly.
#include <string_view>

#include "journal/reader.hpp"

namespace callhook::journal {

// True when `line` is a well-formed attempt, final, finding or end record
// with every field it needs present and of the right type.
bool scan_summary(std::string_view line, RecordSummary& out);

// The summary of a record read strictly.
RecordSummary summary_of(const Entry& entry);

}  // namespace callhook::journal
