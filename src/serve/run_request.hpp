#pragma once
// The body of POST /runs: a scenario (an object, or the text of a scenario
// file, comments allowed) and the options `callhook run` takes as flags.
#include <optional>
#include <string>
#include <string_view>

#include "run/run_options.hpp"
#include "util/json_cursor.hpp"

namespace callhook::serve {

// The run's options, or nullopt with every problem (pointers into the
// body) when the body is not valid. The scenario itself is checked later,
// by the run session, as `callhook validate` checks a file.
std::optional<run::RunOptions> parse_run_request(std::string_view body, util::Problems& problems);

// What serve itself keeps of a run request: the client's label (for
// GET /runs?label=) and the prefix of the run's id.
struct RunNames {
  std::string label;              // "" = none
  std::string id_prefix = "run";  // the id is PREFIX-N
};
// The body's "label" (1 to 64 printable characters) and "id_prefix" (1 to 32
// letters, digits, '.', '_' or '-', starting with a letter or digit), or
// nullopt with the problems.
std::optional<RunNames> parse_run_names(std::string_view body, util::Problems& problems);

// The body as JSON (comments allowed); nullopt with a problem at "" when it
// is not JSON or not an object.
std::optional<util::Json> parse_json_body(std::string_view body, util::Problems& problems);

}  // namespace callhook::serve
