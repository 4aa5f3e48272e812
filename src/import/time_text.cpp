#include "import/time_text.hpp"

#include <cmath>
#include <string>

#include "util/time_format.hpp"

namespace callhook::import {
namespace {

bool digits(std::string_view text, std::size_t at, std::size_t n) {
  if (at + n > text.size()) return false;
  for (std::size_t i = at; i < at + n; ++i)
    if (text[i] < '0' || text[i] > '9') return false;
  return true;
}

int number(std::string_view text, std::size_t at, std::size_t n) {
  int value = 0;
  for (std::size_t i = at; i < at + n; ++i) value = value * 10 + (text[i] - '0');
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_time_text(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS is 19 characters.
  if (text.size() < 20 || !digits(text, 0, 4) || text[4] != '-' || !digits(text, 5, 2) || text[7] != '-' ||
      !digits(text, 8, 2) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || !digits(text, 11, 2) ||
      text[13] != ':' || !digits(text, 14, 2) || text[16] != ':' || !digits(text, 17, 2))
    return std::nullopt;
  std::size_t at = 19;
  std::int64_t ms = 0;
  if (text[at] == '.') {
    ++at;
    std::int64_t scale = 100;
    const std::size_t first = at;
    while (at < text.size() && text[at] >= '0' && text[at] <= '9') {
      ms += (text[at] - '0') * scale;
      scale /= 10;
      ++at;
    }
    if (at == first) return std::nullopt;
  }
  std::int64_t offset_min = 0;
  if (at == text.size()) return std::nullopt;
  if (text[at] == 'Z' || text[at] == 'z') {
    ++at;
  } else if (text[at] == '+' || text[at] == '-') {
    const int sign = text[at] == '-' ? -1 : 1;
    if (!digits(text, at + 1, 2)) return std::nullopt;
    std::size_t minutes_at = at + 3;
    if (minutes_at < text.size() && text[minutes_at] == ':') ++minutes_at;
    if (!digits(text, minutes_at, 2)) return std::nullopt;
    offset_min = sign * (number(text, at + 1, 2) * 60 + number(text, minutes_at, 2));
    at = minutes_at + 2;
  } else {
    return std::nullopt;
  }
  if (at != text.size()) return std::nullopt;
  const auto days = util::days_from_civil(number(text, 0, 4), static_cast<unsigned>(number(text, 5, 2)),
                                          static_cast<unsigned>(number(text, 8, 2)));
  const int hour = number(text, 11, 2);
  const int minute = number(text, 14, 2);
  const int second = number(text, 17, 2);
  if (!days || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  const std::int64_t seconds = *days * 86400 + hour * 3600 + minute * 60 + second - offset_min * 60;
  return seconds * 1000 + ms;
}

std::optional<std::int64_t> parse_time_value(const util::Json& value) {
  if (value.is_string()) return parse_time_text(value.get_ref<const std::string&>());
  if (value.is_number()) {
    const double n = value.get<double>();
    if (!std::isfinite(n) || n < 0 || n > 1e16) return std::nullopt;
    return static_cast<std::int64_t>(n < 1e11 ? std::llround(n * 1000) : std::llround(n));
  }
  return std::nullopt;
}

}  // namespace callhook::import
