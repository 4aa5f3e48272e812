#pragma once
// The times captures carry: ISO 8601 with a zone (HAR's startedDateTime,
// "2025-07-16T13:40:57.123+02:00") or a number of unix seconds or ms.
#include <cstdint>
#include <optional>
#include <string_view>

#include "util/json_limits.hpp"

namespace callhook::import {

// Unix ms of "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)" (a space may
// stand for the T); nullopt when malformed.
std::optional<std::int64_t> parse_time_text(std::string_view text);

// Unix ms of a JSON time: such a string, or a number (below 1e11 read as
// seconds, else ms); nullopt for anything else.
std::optional<std::int64_t> parse_time_value(const util::Json& value);

}  // namespace callhook::import
