#pragma once
// Virtual-time formats used by the vendors. All times are UTC; callhook never
// consults the local time zone.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace callhook::util {

using UnixMs = std::int64_t;

// "2025-07-16T11:40:57.000Z"
std::string iso8601_ms(UnixMs ms);
// "2025-07-16T11:40:57Z"
std::string iso8601_s(UnixMs ms);
// "2025-10-31T21:27:44.330756Z" (microseconds)
std::string iso8601_us(std::int64_t unix_us);
// "2025-07-16 11:40:57"
std::string sql_datetime(UnixMs ms);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when malformed.
std::optional<UnixMs> parse_iso8601(std::string_view text);

}  // namespace callhook::util
