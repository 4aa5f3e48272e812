#pragma once
// POST /runs/{id}/verify: limits asked after the run ("did at most 2
// deliveries fail?") judged on the run's numbers, rebuilt from its journal
// as `callhook report` rebuilds them, with the same names and rules as a
// scenario's "expect" block.
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "util/json_cursor.hpp"

namespace callhook::serve {

// {"met": bool, "expectations": [as in the JSON report]}, or nullopt with
// every problem (pointers into the body) when the body is not
// {"expect": {...}}. Throws journal::JournalError for an unreadable journal.
std::optional<nlohmann::ordered_json> verify_run(const std::string& journal_path, std::string_view body,
                                                 util::Problems& problems);

}  // namespace callhook::serve
