#pragma once
// The SCENARIO argument of run and validate: a file, or - for standard input.
#include <string>

#include "scenario/load.hpp"

namespace callhook::cli {

scenario::LoadResult load_scenario_arg(const std::string& path);

// CALLHOOK_DRY_RUN=1: commands parse their flags and load their inputs, then
// exit 0 without sending or listening (the documentation tests use it).
bool dry_run();

}  // namespace callhook::cli
