#pragma once
// --set [EVENT:]POINTER=VALUE: payload field overrides from the command line.
#include <map>
#include <string>
#include <vector>

#include "util/json_cursor.hpp"

namespace callhook::cli {

struct SetFlag {
  std::string event;  // "" = every event
  std::string pointer;
  util::Json value;   // VALUE parsed as JSON when it is JSON, a string otherwise
};

// Throws UsageError naming the flag when malformed.
SetFlag parse_set_flag(const std::string& text);

}  // namespace callhook::cli
