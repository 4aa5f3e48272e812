#pragma once
// HTTP dates (RFC 9110 section 5.6.7), as a Retry-After header may carry them.
#include <cstdint>
#include <optional>
#include <string_view>

namespace callhook::delivery {

// Unix milliseconds of an IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT") or of
// the obsolete RFC 850 and asctime forms; nullopt when none fits.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace callhook::delivery
