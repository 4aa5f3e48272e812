#include "delivery/http_date.hpp"

#include <array>
#include <charconv>
#include <string>
#include <vector>

#include "util/time_format.hpp"

namespace callhook::delivery {
namespace {

std::optional<int> number(std::string_view text, std::size_t min_digits, std::size_t max_digits) {
  if (text.size() < min_digits || text.size() > max_digits) return std::nullopt;
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::optional<int> month_number(std::string_view name) {
  static constexpr std::array<std::string_view, 12> k_months = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                                "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (std::size_t i = 0; i < k_months.size(); ++i) {
    if (name == k_months[i]) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view text, char extra_separator) {
  std::vector<std::string_view> parts;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == extra_separator)) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != extra_separator) ++i;
    if (i > start) parts.push_back(text.substr(start, i - start));
  }
  return parts;
}

bool is_day_name(std::string_view name) {
  if (name.size() < 3) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) return false;
  }
  return true;
}

std::optional<std::int64_t> to_unix_ms(std::int64_t year, int month, int day, std::string_view clock) {
  if (clock.size() != 8 || clock[2] != ':' || clock[5] != ':') return std::nullopt;
  const auto hour = number(clock.substr(0, 2), 2, 2);
  const auto minute = number(clock.substr(3, 2), 2, 2);
  const auto second = number(clock.substr(6, 2), 2, 2);
  if (!hour || !minute || !second || *hour > 23 || *minute > 59 || *second > 60) return std::nullopt;
  if (day < 1) return std::nullopt;
  const auto days = util::days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  if (!days) return std::nullopt;
  return (*days * 86400 + *hour * 3600 + *minute * 60 + *second) * 1000;
}

}  // namespace

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  const std::size_t comma = text.find(',');
  if (comma != std::string_view::npos) {
    if (!is_day_name(text.substr(0, comma))) return std::nullopt;
    const bool rfc850 = text.find('-') != std::string_view::npos;
    const auto parts = split(text.substr(comma + 1), rfc850 ? '-' : ' ');
    if (parts.size() != 5 || parts[4] != "GMT") return std::nullopt;
    const auto day = number(parts[0], 2, 2);
    const auto month = month_number(parts[1]);
    const auto year = number(parts[2], rfc850 ? 2 : 4, rfc850 ? 2 : 4);
    if (!day || !month || !year) return std::nullopt;
    // RFC 850 years have two digits; 70 and later are taken as 19xx.
    const std::int64_t full_year = rfc850 ? (*year >= 70 ? 1900 + *year : 2000 + *year) : *year;
    return to_unix_ms(full_year, *month, *day, parts[3]);
  }
  // asctime: "Sun Nov  6 08:49:37 1994"
  const auto parts = split(text, ' ');
  if (parts.size() != 5 || parts[0].size() != 3 || !is_day_name(parts[0])) return std::nullopt;
  const auto month = month_number(parts[1]);
  const auto day = number(parts[2], 1, 2);
  const auto year = number(parts[4], 4, 4);
  if (!day || !month || !year) return std::nullopt;
  return to_unix_ms(*year, *month, *day, parts[3]);
}

}  // namespace callhook::delivery
