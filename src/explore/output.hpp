#pragma once
// What `callhook explore` leaves behind: DIR/failures/NN-<name>.json (a
// runnable scenario per distinct failure, its journal beside it as .jsonl),
// DIR/explore.json, and the summary it prints.
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/explorer.hpp"
#include "explore/trial.hpp"

namespace callhook::explore {

// "runtime.call.start ×2 → runtime.call.end", with " at once", " (ack
// lost)" and " again" where a step has them.
std::string steps_text(const std::vector<std::string>& events, const std::vector<Step>& steps);

// Every send in order, a repeated step once per copy, a lost ack's copy
// twice (the vendor's retry).
std::vector<std::string> sent_events(const std::vector<std::string>& events, const std::vector<Step>& steps);

// "DIR/failures/01-runtime-call-end-then-runtime-call-start" (add .json or .jsonl).
std::string failure_stem(const std::string& dir, const std::vector<std::string>& events, const Failure& failure);

// Writes each failure's scenario (the trial it was confirmed with, so the
// journal beside it matches) and DIR/explore.json.
void write_outputs(const std::string& dir, const TrialSetup& setup, const ExploreOptions& options,
                   const ExploreResult& result);

// explore.json: the search and each distinct failure. No wall times, so
// one seed gives one file.
nlohmann::ordered_json explore_json(const std::string& dir, const TrialSetup& setup, const ExploreOptions& options,
                                    const ExploreResult& result);

// The summary: what was tried, then each distinct failure on one line.
void print_summary(std::ostream& out, const std::string& dir, const TrialSetup& setup, const ExploreResult& result);

}  // namespace callhook::explore
