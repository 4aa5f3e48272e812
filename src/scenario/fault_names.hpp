#pragma once
// The faults a scenario can ask for, named once. A stream's `faults` keys,
// the names deliveries carry in their fault lists (journal, reports) and the
// checks that look for one fault all come from this list; a reorder pattern
// ("end_before_start", ...) marks its deliveries with its own name instead.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace callhook::scenario {

enum class Fault : std::uint8_t { Delay, Duplicate, Reorder, Drop, StaleTimestamp, BadSignature, SchemaDrift, LostAck };

inline constexpr std::array<std::string_view, 8> k_fault_names = {
    "delay", "duplicate", "reorder", "drop", "stale_timestamp", "bad_signature", "schema_drift", "lost_ack"};

constexpr std::string_view fault_name(Fault fault) { return k_fault_names[static_cast<std::size_t>(fault)]; }

// The name a fault-list entry counts under: "delay:120ms" and "duplicate(2)"
// count as "delay" and "duplicate"; a pattern's name is itself.
constexpr std::string_view fault_entry_name(std::string_view entry) {
  return entry.substr(0, entry.find_first_of(":=( "));
}

// The fault a fault-list entry names; nullopt for a reorder pattern's name.
constexpr std::optional<Fault> fault_of(std::string_view entry) {
  const std::string_view name = fault_entry_name(entry);
  for (std::size_t i = 0; i < k_fault_names.size(); ++i)
    if (k_fault_names[i] == name) return static_cast<Fault>(i);
  return std::nullopt;
}

}  // namespace callhook::scenario
