#include "explore/session.hpp"

#include <cctype>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "explore/output.hpp"
#include "run/bad_input.hpp"
#include "scenario/load.hpp"
#include "util/json_limits.hpp"
#include "util/rng.hpp"
#include "vendors/vendor.hpp"

namespace callhook::explore {
namespace {

// The seed of the k-th call an explore may use.
std::uint64_t call_seed(std::uint64_t seed, std::uint64_t k) { return util::derive(seed, k, 0, "explore-call"); }

// DIR/failures, emptied of an earlier explore's failures.
void prepare_dir(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code error;
  fs::create_directories(fs::path(dir) / "failures", error);
  if (error) throw run::BadInput("cannot create " + dir + "/failures: " + error.message());
  for (const auto& entry : fs::directory_iterator(fs::path(dir) / "failures", error)) {
    const std::string name = entry.path().filename().string();
    const std::string ext = entry.path().extension().string();
    if (name.size() > 3 && std::isdigit(static_cast<unsigned char>(name[0])) != 0 && name[2] == '-' &&
        (ext == ".json" || ext == ".jsonl"))
      fs::remove(entry.path(), error);
  }
}

}  // namespace

std::optional<PreparedExplore> prepare_explore(const ExploreRequest& request, util::Problems& problems,
                                               std::string& source) {
  std::string text;
  if (request.scenario_text) {
    text = *request.scenario_text;
  } else {
    std::ifstream in(request.scenario_path, std::ios::binary);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto loaded = request.scenario_text ? scenario::parse_scenario(text, request.scenario_path, vendors::catalog())
                                      : scenario::load_scenario(request.scenario_path, vendors::catalog());
  source = loaded.source;
  if (!loaded.problems.empty()) {
    problems = std::move(loaded.problems);
    return std::nullopt;
  }
  PreparedExplore p;
  p.setup.source = loaded.source;
  p.setup.scenario = std::move(*loaded.scenario);
  p.setup.document = util::parse_ordered_json(text, util::k_scenario_json).value;
  p.setup.target = request.target.empty() ? p.setup.scenario.streams.front().target : request.target;
  p.setup.reset_url = request.reset_url;
  p.setup.raw_steps = recorded_call(p.setup.document);
  p.setup.insecure = request.insecure;
  p.options = request.options;
  p.options.seed = request.seed.value_or(p.setup.scenario.seed);
  p.has_probe = p.setup.scenario.streams.front().probe.has_value();
  if (p.setup.target.empty()) {
    problems.add("/streams/0/target", "names no receiver: give one here or with --target");
    return std::nullopt;
  }
  // Every trial plays a call with the same deliveries as the first one.
  auto events = call_events(p.setup, call_seed(p.options.seed, 0), problems);
  if (!events) return std::nullopt;
  p.events = std::move(*events);
  if (p.events.empty()) {
    problems.add("/streams/0", "the stream's vendor sends no delivery for a call");
    return std::nullopt;
  }
  p.options.lost_ack = lost_ack_deliveries(p.setup, p.events);
  // The trials' own scenario must be valid (a stream setting a script cannot take shows here).
  const auto planned = trial_scenario(p.setup, p.events, planned_variant(p.events.size()).steps, p.options.seed);
  auto check = scenario::parse_scenario(planned.dump(), source, vendors::catalog());
  if (!check.problems.empty()) {
    problems = std::move(check.problems);
    return std::nullopt;
  }
  return p;
}

ExploreResult run_explore(const PreparedExplore& prepared, const std::string& dir, const ProgressFn& progress) {
  prepare_dir(dir);
  std::uint64_t next = 0;
  const SeedFn next_seed = [&]() {
    for (int tries = 0; tries < 10000; ++tries) {
      const std::uint64_t candidate = call_seed(prepared.options.seed, next++);
      util::Problems ignored;
      if (call_events(prepared.setup, candidate, ignored) == prepared.events) return candidate;
    }
    throw std::runtime_error(prepared.setup.source + ": /streams/0/calls: calls of this stream rarely have the " +
                             std::to_string(prepared.events.size()) +
                             " deliveries of the first; explore needs calls of one shape");
  };
  const TrialFn trial = [&](const std::vector<Step>& steps, std::uint64_t seed, const std::string& journal) {
    return run_trial(prepared.setup, trial_scenario(prepared.setup, prepared.events, steps, seed), journal);
  };
  const JournalPathFn journal_path = [&](const Failure& f) { return failure_stem(dir, prepared.events, f) + ".jsonl"; };
  ExploreResult result = explore(prepared.events, prepared.options, trial, next_seed, journal_path, progress);
  write_outputs(dir, prepared.setup, prepared.options, result);
  return result;
}

}  // namespace callhook::explore
