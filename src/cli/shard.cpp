#include "cli/shard.hpp"

#include <charconv>
#include <cmath>

#include "cli/cli.hpp"
#include "util/time_format.hpp"

namespace callhook::cli {
namespace {

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

scenario::Shard parse_shard(const std::string& text, const std::string& source) {
  const auto slash = text.find('/');
  const auto index = slash == std::string::npos ? std::nullopt : parse_u64(std::string_view(text).substr(0, slash));
  const auto count = slash == std::string::npos ? std::nullopt : parse_u64(std::string_view(text).substr(slash + 1));
  if (!index || !count || *count == 0)
    throw UsageError(source + ": expected I/N (shard I of N, 0 <= I < N), got \"" + text + "\"");
  if (*index >= *count)
    throw UsageError(source + ": shard " + std::to_string(*index) + " of " + std::to_string(*count) +
                     " does not exist (shards are numbered 0 to " + std::to_string(*count - 1) + ")");
  return {*index, *count};
}

scenario::Shard resolve_shard(const std::string& shard_flag, std::optional<std::uint64_t> shards_flag,
                              const std::function<std::optional<std::string>(const char*)>& env) {
  if (!shard_flag.empty()) {
    if (shards_flag) throw UsageError("--shards: give either --shard I/N or --shards N, not both");
    return parse_shard(shard_flag, "--shard");
  }
  if (auto from_env = env("CALLHOOK_SHARD"); from_env && !from_env->empty())
    return parse_shard(*from_env, "CALLHOOK_SHARD");
  if (!shards_flag) return {};
  const auto index_text = env("JOB_COMPLETION_INDEX");
  if (!index_text)
    throw UsageError("--shards " + std::to_string(*shards_flag) +
                     ": needs JOB_COMPLETION_INDEX (set by a Kubernetes Indexed Job); elsewhere use --shard I/N");
  return parse_shard(*index_text + "/" + std::to_string(*shards_flag), "JOB_COMPLETION_INDEX with --shards");
}

std::int64_t parse_start_at(const std::string& text, std::int64_t now_ms) {
  if (!text.empty() && text.front() == '+') {
    double seconds = 0;
    const auto [end, ec] = std::from_chars(text.data() + 1, text.data() + text.size(), seconds);
    if (ec == std::errc{} && end == text.data() + text.size() && text.size() > 1 && std::isfinite(seconds) &&
        seconds >= 0 && seconds <= 86400)
      return now_ms + static_cast<std::int64_t>(std::llround(seconds * 1000));
  } else if (auto at = util::parse_iso8601(text)) {
    return *at;
  }
  throw UsageError(
      "--start-at: expected an ISO 8601 UTC time (2026-01-01T12:00:00Z) or +SECONDS (at most +86400), got \"" + text +
      "\"");
}

}  // namespace callhook::cli
