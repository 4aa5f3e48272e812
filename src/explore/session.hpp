#pragma once
// One explore, start to end, as `callhook explore` and `callhook serve`
// (POST /explores) both need it: the scenario loaded and checked, the
// call's deliveries found, the search run, the outputs written.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "explore/explorer.hpp"
#include "explore/trial.hpp"
#include "util/json_cursor.hpp"

namespace callhook::explore {

struct ExploreRequest {
  // The scenario: read from scenario_path, or parsed from scenario_text
  // when set (then scenario_path only names it in messages).
  std::string scenario_path;
  std::optional<std::string> scenario_text;
  std::string target;  // "" = the first stream's target
  std::string reset_url;
  bool insecure = false;
  std::optional<std::uint64_t> seed;  // the scenario's when unset
  ExploreOptions options;             // its seed is set by prepare_explore
};

// What every trial of one explore shares, checked.
struct PreparedExplore {
  TrialSetup setup;
  ExploreOptions options;
  std::vector<std::string> events;  // the call's deliveries, in the vendor's order
  bool has_probe = false;
};

// Loads and checks the scenario and the trials' own scenario; nullopt with
// every problem (pointers into the scenario, named by `source`) otherwise.
std::optional<PreparedExplore> prepare_explore(const ExploreRequest& request, util::Problems& problems,
                                               std::string& source);

// The search against the receiver; writes DIR/explore.json and
// DIR/failures/ (earlier NN-* files there are removed first). Throws
// run::BadInput when DIR cannot be made, std::runtime_error when a file
// cannot be written.
ExploreResult run_explore(const PreparedExplore& prepared, const std::string& dir, const ProgressFn& progress = {});

}  // namespace callhook::explore
