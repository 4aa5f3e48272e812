#pragma once
// One trial of `callhook explore`: one fresh call of the scenario's first
// stream, its deliveries sent as a script in a variant's order, then the
// stream's probe; judged by the run's own numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/variants.hpp"
#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"

namespace callhook::explore {

// What every trial of one explore shares.
struct TrialSetup {
  std::string source;               // the scenario file, for messages
  nlohmann::ordered_json document;  // the scenario file as written (comments dropped)
  scenario::Scenario scenario;      // the same, validated
  std::string target;               // --target: every trial's receiver
  std::string reset_url;            // POSTed before each trial when set
  bool insecure = false;
  // An imported incident: the script's raw steps on the first stream, as
  // written (each with its own call alias). When set, trials send these
  // recorded requests (the same bytes and ids every trial) instead of a
  // fresh call's.
  std::vector<nlohmann::ordered_json> raw_steps;
};

// The raw steps (with "body" or "body_base64") of the script on the first
// stream, as written in `document`; empty when the script has none.
std::vector<nlohmann::ordered_json> recorded_call(const nlohmann::ordered_json& document);

// How a trial went: failed, and the first reason why.
struct TrialResult {
  bool failed = false;
  // "probe /active: expected false, got true", "http_500 (2 answers)",
  // "finding: ...", "could not run: ..."
  std::string reason;
};

// The scenario a trial plays (and a failure is written as): the first
// stream's settings without its population ("count": 0) or faults, its
// probe, the call's deliveries as a `script` in the steps' order with their
// copies, "together", "lost_ack" and "again" (a delivery an earlier step
// sent), and expectations that fail the run on any retry but the lost acks'
// own, failed delivery or finding (a receiver error makes the vendor retry).
nlohmann::ordered_json trial_scenario(const TrialSetup& setup, const std::vector<std::string>& events,
                                      const std::vector<Step>& steps, std::uint64_t seed);

// The events of the one scripted call the first stream makes with `seed`, in
// the vendor's order (handshakes answered as accepted); nullopt with the
// plan's problems when the stream cannot be planned.
std::optional<std::vector<std::string>> call_events(const TrialSetup& setup, std::uint64_t seed,
                                                    util::Problems& problems);

// Per delivery of `events` (the call's, in the vendor's order): whether its
// event is retried, so a lost acknowledgement can be tried on it.
std::vector<bool> lost_ack_deliveries(const TrialSetup& setup, const std::vector<std::string>& events);

// Plays a trial against setup.target: the reset request, then the run.
// With journal_path set, the run's journal is written there.
TrialResult run_trial(const TrialSetup& setup, const nlohmann::ordered_json& scenario,
                      const std::string& journal_path = "");

}  // namespace callhook::explore
