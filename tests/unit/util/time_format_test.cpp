#include <catch2/catch.hpp>

#include <optional>

#include "util/time_format.hpp"

using namespace callhook::util;

namespace {

constexpr UnixMs k_july = 1752666057000;  // 2025-07-16T11:40:57Z

}  // namespace

TEST_CASE("virtual times format in UTC", "[util][time]") {
  CHECK(iso8601_ms(k_july) == "2025-07-16T11:40:57.000Z");
  CHECK(iso8601_ms(k_july + 7) == "2025-07-16T11:40:57.007Z");
  CHECK(iso8601_s(k_july + 999) == "2025-07-16T11:40:57Z");
  CHECK(iso8601_us(1761946064330756) == "2025-10-31T21:27:44.330756Z");
  CHECK(sql_datetime(k_july) == "2025-07-16 11:40:57");
  CHECK(iso8601_ms(0) == "1970-01-01T00:00:00.000Z");
  // Before 1970 the fraction still counts up within the second.
  CHECK(iso8601_ms(-1) == "1969-12-31T23:59:59.999Z");
  CHECK(iso8601_s(951782400000) == "2000-02-29T00:00:00Z");
}

TEST_CASE("parse_iso8601 reads what the formats write", "[util][time]") {
  CHECK(parse_iso8601("2025-07-16T11:40:57Z") == k_july);
  CHECK(parse_iso8601("2025-07-16T11:40:57.5Z") == k_july + 500);
  CHECK(parse_iso8601("2025-07-16T11:40:57.123456Z") == k_july + 123);
  CHECK(parse_iso8601("1969-12-31T23:59:59.999Z") == -1);
  for (const UnixMs ms : {UnixMs{0}, k_july, UnixMs{951782400000}, UnixMs{-86400000}, UnixMs{4102444800123}}) {
    INFO(ms);
    CHECK(parse_iso8601(iso8601_ms(ms)) == ms);
  }
}

TEST_CASE("parse_iso8601 refuses dates that do not exist and malformed text", "[util][time]") {
  for (const char* text :
       {"2025-02-31T00:00:00Z", "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z", "2025-04-31T00:00:00Z",
        "2025-13-01T00:00:00Z", "2025-00-10T00:00:00Z", "2025-01-00T00:00:00Z", "2025-07-16T24:00:00Z",
        "2025-07-16T11:60:00Z", "2025-07-16T11:40:57", "2025-07-16T11:40:57.Z", "2025-07-16 11:40:57Z",
        "2025-07-16T11:40:57Zx", ""}) {
    INFO(text);
    CHECK(parse_iso8601(text) == std::nullopt);
  }
  CHECK(parse_iso8601("2024-02-29T00:00:00Z") == 1709164800000);
  CHECK(parse_iso8601("2000-02-29T00:00:00Z") == 951782400000);
}

TEST_CASE("days_from_civil counts days from 1970 and refuses impossible dates", "[util][time]") {
  CHECK(days_from_civil(1970, 1, 1) == 0);
  CHECK(days_from_civil(1969, 12, 31) == -1);
  CHECK(days_from_civil(2000, 3, 1) == 11017);
  CHECK(days_from_civil(2025, 2, 28) == 20147);
  CHECK(days_from_civil(2025, 2, 31) == std::nullopt);
  CHECK(days_from_civil(2025, 2, 29) == std::nullopt);
  CHECK(days_from_civil(2025, 13, 1) == std::nullopt);
  CHECK(days_from_civil(2025, 1, 257) == std::nullopt);  // would wrap to 1 in a byte
  CHECK(days_from_civil(40000, 1, 1) == std::nullopt);
}
