#include "run/shard_text.hpp"

#include <charconv>
#include <cmath>

#include "util/time_format.hpp"

namespace callhook::run {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

std::optional<scenario::Shard> parse_shard(std::string_view text, std::string& error) {
  const auto slash = text.find('/');
  const auto index = slash == std::string_view::npos ? std::nullopt : parse_u64(text.substr(0, slash));
  const auto count = slash == std::string_view::npos ? std::nullopt : parse_u64(text.substr(slash + 1));
  if (!index || !count || *count == 0) {
    error = "expected I/N (shard I of N, 0 <= I < N), got \"" + std::string(text) + "\"";
    return std::nullopt;
  }
  if (*index >= *count) {
    error = "shard " + std::to_string(*index) + " of " + std::to_string(*count) +
            " does not exist (shards are numbered 0 to " + std::to_string(*count - 1) + ")";
    return std::nullopt;
  }
  return scenario::Shard{*index, *count};
}

std::optional<std::int64_t> parse_start_at(std::string_view text, std::int64_t now_ms, std::string& error) {
  if (!text.empty() && text.front() == '+') {
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), seconds);
    if (ec == std::errc{} && end == text.data() + text.size() && text.size() > 1 && std::isfinite(seconds) &&
        seconds >= 0 && seconds <= 86400)
      return now_ms + static_cast<std::int64_t>(std::llround(seconds * 1000));
  } else if (auto at = util::parse_iso8601(text)) {
    return *at;
  }
  error = "expected an ISO 8601 UTC time (2026-01-01T12:00:00Z) or +SECONDS (at most +86400), got \"" +
          std::string(text) + "\"";
  return std::nullopt;
}

}  // namespace callhook::run
