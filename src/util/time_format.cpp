#include "util/time_format.hpp"

#include <chrono>
#include <cstdio>

namespace callhook::util {
namespace {

struct Parts {
  std::chrono::year_month_day date;
  int hour, minute, second;
};

Parts split(std::int64_t seconds) {
  std::int64_t days = seconds / 86400;
  std::int64_t rest = seconds % 86400;
  if (rest < 0) {
    rest += 86400;
    --days;
  }
  return {std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(days))), static_cast<int>(rest / 3600),
          static_cast<int>(rest / 60 % 60), static_cast<int>(rest % 60)};
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string format(std::int64_t seconds, const char* pattern_tail, long fraction, bool with_fraction, bool sql) {
  const Parts p = split(seconds);
  const int year = static_cast<int>(p.date.year());
  const unsigned month = static_cast<unsigned>(p.date.month());
  const unsigned day = static_cast<unsigned>(p.date.day());
  char buf[64];
  if (sql) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u %02d:%02d:%02d", year, month, day, p.hour, p.minute, p.second);
  } else if (with_fraction) {
    std::snprintf(buf, sizeof buf, pattern_tail, year, month, day, p.hour, p.minute, p.second, fraction);
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", year, month, day, p.hour, p.minute, p.second);
  }
  return buf;
}

}  // namespace

std::optional<std::int64_t> days_from_civil(std::int64_t year, unsigned month, unsigned day) {
  // std::chrono::year holds -32767..32767; month and day keep only a byte.
  if (year < -32767 || year > 32767 || month > 12 || day > 31) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(static_cast<int>(year)), std::chrono::month(month),
                                         std::chrono::day(day)};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_days(date).time_since_epoch().count();
}

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
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
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
  const auto days = days_from_civil(y, mo, d);
  if (!days) return std::nullopt;
  return ((*days * 24 + h) * 60 + mi) * 60000 + static_cast<std::int64_t>(s) * 1000 + ms;
}

}  // namespace callhook::util
