#pragma once
// Human wording of durations and numbers for the commands' output.
#include <cstdint>
#include <string>

namespace callhook::cli {

// 250 -> "250 ms", 5000 -> "5 s", 90000 -> "1 min 30 s", 36000000 -> "10 h".
std::string human_duration_ms(std::int64_t ms);
// Shortest text of a double: 2 -> "2", 0.5 -> "0.5".
std::string format_number(double value);

}  // namespace callhook::cli
