#pragma once
// The scenarios a server can run by name (`"scenario": "voicebot-basic"` in
// POST /runs, GET /scenarios): the files NAME.json of one directory, by
// default the shipped examples where the install or image put them.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace callhook::serve {

// Whether `name` may name a library scenario: [a-z0-9-]+, so it never
// leaves the directory.
bool is_scenario_name(std::string_view name);

// The names of DIR's scenarios (NAME.json whose NAME is a scenario name),
// sorted; none when DIR is "" or cannot be read.
std::vector<std::string> scenario_names(const std::string& dir);

// The text of DIR/NAME.json, or nullopt when `name` is not a scenario name
// or there is no such file.
std::optional<std::string> read_library_scenario(const std::string& dir, const std::string& name);

// The comment lines a scenario file opens with, joined: what it is for.
std::string scenario_description(std::string_view text);

// The first directory of: PREFIX/share/callhook/scenarios beside the binary
// (`cmake --install`), /scenarios (the Docker image); "" when neither exists.
std::string default_scenarios_dir();

}  // namespace callhook::serve
