#pragma once
// --set [EVENT:]POINTER=VALUE: payload field overrides from the command line.
#include <map>
#include <string>
#include <vector>

#include "run/run_options.hpp"

namespace callhook::cli {

// VALUE is parsed as JSON when it is JSON, a string otherwise.
using SetFlag = run::FieldSet;

// Throws UsageError naming the flag when malformed.
SetFlag parse_set_flag(const std::string& text);

}  // namespace callhook::cli
