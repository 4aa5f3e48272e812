#pragma once
// The body of POST /runs: a scenario (an object, or the text of a scenario
// file, comments allowed) and the options `callhook run` takes as flags.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "run/run_options.hpp"
#include "serve/run_policy.hpp"
#include "util/json_cursor.hpp"

namespace callhook::serve {

// Engine threads a request may ask for ("threads").
constexpr std::int64_t k_max_threads = 64;

// The run's options, or nullopt with every problem (pointers into the
// body) when the body is not valid or over policy's limits. The scenario
// itself is checked later, by the run session, as `callhook validate`
// checks a file; then its adjust_scenario checks it against policy (which
// must outlive the session's prepare()) and throws RequestRefused.
std::optional<run::RunOptions> parse_run_request(std::string_view body, const RunPolicy& policy,
                                                 util::Problems& problems);

// A query parameter's number, read as the CLI reads a flag's (no sign,
// space or trailing text; finite): seconds from 0, or a seed from 0 to
// 2^64 - 1. nullopt when it is not one.
std::optional<double> query_seconds(const std::string& text);
std::optional<std::uint64_t> query_seed(const std::string& text);
// A whole number from `least` to `most` (a ?limit=), read as query_seed reads; nullopt otherwise.
std::optional<std::uint64_t> query_count(const std::string& text, std::uint64_t least, std::uint64_t most);

// Problems of the scenario inside a request, at pointers into the body
// (under "/scenario").
util::Problems scenario_problems(const util::Problems& problems);

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

// The body of POST /reports/merge: {"runs": [ID, ...]}, at least one id, each
// once; nullopt with the problems otherwise.
std::optional<std::vector<std::string>> parse_run_ids(std::string_view body, util::Problems& problems);

// The body as JSON (comments allowed); nullopt with a problem at "" when it
// is not JSON or not an object.
std::optional<util::Json> parse_json_body(std::string_view body, util::Problems& problems);

}  // namespace callhook::serve
