#pragma once
// The text forms of a shard ("I/N") and of a start time (ISO 8601 or
// "+SECONDS"), read the same for `run --shard/--start-at` and the `shard`
// and `start_at` of `POST /runs`.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "scenario/scenario.hpp"

namespace callhook::run {

// "I/N" with 0 <= I < N; otherwise nullopt, with `error` saying why
// (without the flag's or field's name).
std::optional<scenario::Shard> parse_shard(std::string_view text, std::string& error);

// "2026-01-01T12:00:00Z" (absolute) or "+SECONDS" (from now_ms, at most a
// day): unix ms; otherwise nullopt, with `error` saying why.
std::optional<std::int64_t> parse_start_at(std::string_view text, std::int64_t now_ms, std::string& error);

}  // namespace callhook::run
