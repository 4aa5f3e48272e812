#include "util/time_format.hpp"

#include <cstdio>

namespace callhook::util {
namespace {

// Howard Hinnant's civil-from-days / days-from-civil (public domain).
struct Civil {
  int year;
  unsigned month, day;
};

Civil civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), m, d};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Parts {
  Civil date;
  int hour, minute, second;
};

Parts split(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  return {civil_from_days(days), static_cast<int>(rest / 3600), static_cast<int>(rest / 60 % 60),
          static_cast<int>(rest % 60)};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string format(std::int64_t seconds, const char* pattern_tail, long fraction, bool with_fraction, bool sql) {
  const Parts p = split(seconds);
  char buf[64];
  if (sql) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", p.date.year, p.date.month, p.date.day, p.hour,
                  p.minute, p.second);
  } else if (with_fraction) {
    std::snprintf(buf, sizeof buf, pattern_tail, p.date.year, p.date.month, p.date.day, p.hour, p.minute, p.second,
                  fraction);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", p.date.year, p.date.month, p.date.day, p.hour,
                  p.minute, p.second);
  }
  return buf;
}

}  // namespace

std::string iso8601_ms(UnixMs ms) {
  const std::int64_t s = floor_div(ms, 1000);
  return format(s, "%04d-%02u-%02uT%02d:%02d:%02d.%03ldZ", static_cast<long>(ms - s * 1000), true, false);
}

std::string iso8601_s(UnixMs ms) { return format(floor_div(ms, 1000), nullptr, 0, false, false); }

std::string iso8601_us(std::int64_t unix_us) {
  const std::int64_t s = floor_div(unix_us, 1000000);
  return format(s, "%04d-%02u-%02uT%02d:%02d:%02d.%06ldZ", static_cast<long>(unix_us - s * 1000000), true, false);
}

std::string sql_datetime(UnixMs ms) { return format(floor_div(ms, 1000), nullptr, 0, false, true); }

std::optional<UnixMs> parse_iso8601(std::string_view t) {
  int y = 0;
  unsigned mo = 0, d = 0, h = 0, mi = 0, s = 0;
  int consumed = 0;
  const std::string text(t);
  if (std::sscanf(text.c_str(), "%4d-%2u-%2uT%2u:%2u:%2u%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6 ||
      consumed != 19)
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t i = 19;
  std::int64_t ms = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    int digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (digits < 3) ms = ms * 10 + (text[i] - '0');
      ++digits;
      ++i;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) ms *= 10;
  }
  if (i + 1 != text.size() || text[i] != 'Z') return std::nullopt;
  const std::int64_t days = days_from_civil(y, mo, d);
  return ((days * 24 + h) * 60 + mi) * 60000 + static_cast<std::int64_t>(s) * 1000 + ms;
}

}  // namespace callhook::util
