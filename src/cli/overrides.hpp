#pragma once
// --set [EVENT:]POINTER=VALUE and --add [EVENT:]POINTER=VALUE: payload field
// overrides from the command line. --set changes a field the payload has
// (checked like a scenario's overrides, with did-you-mean); --add adds one.
#include <map>
#include <string>
#include <vector>

#include "run/run_options.hpp"
#include "util/json_cursor.hpp"
#include "util/json_limits.hpp"
#include "vendors/delivery.hpp"

namespace callhook::cli {

// How VALUE is read, for every command's --help.
constexpr const char* k_value_typing =
    "VALUE is read as JSON when it is JSON (123, true, null, {\"a\":1}), as text otherwise: --set /n=123 sets\n"
    "the number 123, --set '/n=\"123\"' the string \"123\", --set /s=abc the string abc.";

struct SetFlag {
  std::string flag;   // "--set" or "--add", for messages
  std::string text;   // as given
  std::string event;  // "" = every event
  std::string pointer;
  util::Json value;  // VALUE parsed as JSON when it is JSON, a string otherwise
  bool add = false;  // --add: the field may be new
};

// A JSON flag value's problem for a message: "nested deeper than 128 levels
// at column 129 (at /0/0/...)". A flag is one line, so no line number.
std::string flag_problem(const util::JsonFailure& failure);

// Throws UsageError naming the flag when malformed.
SetFlag parse_set_flag(const std::string& text, bool add = false);
std::vector<SetFlag> parse_set_flags(const std::vector<std::string>& sets, const std::vector<std::string>& adds);

// Every field of a payload as a pointer: JSON bodies' objects and leaves,
// form and query parameters as "/Name".
std::vector<std::string> payload_pointers(const vendors::Delivery& delivery);

// Checks flags against the events a vendor sends (EVENT must be one of
// `events`) and a sample payload per event (a --set POINTER must exist in
// the payload of every event it applies to whose sample is known). Throws
// UsageError with did-you-mean otherwise.
void check_set_flags(const std::vector<SetFlag>& flags, const std::vector<std::string>& events,
                     const std::vector<vendors::Delivery>& samples);

}  // namespace callhook::cli

namespace callhook::engine {
struct RunPlan;
}

namespace callhook::cli {

// Checks the flags against every stream's vendor (events, and a sample call's
// payloads) and adds them to the streams' overrides. Throws UsageError.
void apply_set_flags(engine::RunPlan& plan, const std::vector<SetFlag>& flags);

}  // namespace callhook::cli
