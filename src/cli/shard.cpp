#include "cli/shard.hpp"

#include "cli/cli.hpp"
#include "run/shard_text.hpp"

namespace callhook::cli {

scenario::Shard parse_shard(const std::string& text, const std::string& source) {
  std::string error;
  const auto shard = run::parse_shard(text, error);
  if (!shard) throw UsageError(source + ": " + error);
  return *shard;
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
  std::string error;
  const auto at = run::parse_start_at(text, now_ms, error);
  if (!at) throw UsageError("--start-at: " + error);
  return *at;
}

}  // namespace callhook::cli
