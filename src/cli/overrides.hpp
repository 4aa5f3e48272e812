#pragma once
// --set [EVENT:]POINTER=VALUE: payload field overrides from the command line.
#include <map>
#include <string>
#include <vector>

#include "run/run_options.hpp"
#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"

namespace callhook::cli {

// VALUE is parsed as JSON when it is JSON, a string otherwise.
using SetFlag = run::FieldSet;

// A JSON flag value's problem for a message: "nested deeper than 128 levels
// at column 129 (at /0/0/...)". A flag is one line, so no line number.
std::string flag_problem(const util::JsonFailure& failure);

// Throws UsageError naming the flag when malformed.
SetFlag parse_set_flag(const std::string& text);

}  // namespace callhook::cli
