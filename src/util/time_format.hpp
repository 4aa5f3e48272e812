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
// Days since 1970-01-01 of a (proleptic Gregorian) date; nullopt for a date
// that does not exist, such as 2025-02-31.
std::optional<std::int64_t> days_from_civil(std::int64_t year, unsigned month, unsigned day);
// Parses "YYYY-MM-DDTHH:MM:SS[.fff]Z"; nullopt when malformed or when the
// date does not exist.
std::optional<UnixMs> parse_iso8601(std::string_view text);

}  // namespace callhook::util
