#pragma once
// Where a process sits in a sharded run: `--shard I/N`, CALLHOOK_SHARD=I/N,
// or a Kubernetes Indexed Job's JOB_COMPLETION_INDEX with `--shards N`; and
// `--start-at`, so shards started seconds apart begin together.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "scenario/scenario.hpp"

namespace callhook::cli {

// "I/N" with 0 <= I < N; anything else is a UsageError naming `source`.
scenario::Shard parse_shard(const std::string& text, const std::string& source);

// The first of: the --shard flag, CALLHOOK_SHARD, JOB_COMPLETION_INDEX with
// --shards. `env` reads an environment variable (nullopt when unset).
scenario::Shard resolve_shard(const std::string& shard_flag, std::optional<std::uint64_t> shards_flag,
                              const std::function<std::optional<std::string>(const char*)>& env);

// "2026-01-01T12:00:00Z" (absolute) or "+SECONDS" (from now_ms): unix ms.
std::int64_t parse_start_at(const std::string& text, std::int64_t now_ms);

}  // namespace callhook::cli
