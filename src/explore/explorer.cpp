#include "explore/explorer.hpp"

#include <chrono>
#include <map>

#include "explore/shrink.hpp"

namespace callhook::explore {

ExploreResult explore(const std::vector<std::string>& events, const ExploreOptions& options, const TrialFn& trial,
                      const SeedFn& next_seed, const JournalPathFn& journal_path, const ProgressFn& progress) {
  ExploreResult result;
  result.events = events;
  VariantOptions variant_options;
  variant_options.seed = options.seed;
  variant_options.drops = options.drops;
  variant_options.lost_ack = options.lost_ack;
  const std::vector<Variant> variants = make_variants(events, variant_options);
  result.variants = variants.size();

  // Each distinct sequence of sends is played once: the receiver is
  // deterministic enough for a search, and confirmation runs catch the rest.
  std::map<std::string, TrialResult> answers;
  const auto play = [&](const std::vector<Step>& steps) -> const TrialResult& {
    const std::string key = variant_key(events, steps);
    auto it = answers.find(key);
    if (it == answers.end()) {
      ++result.trials;
      it = answers.emplace(key, trial(steps, next_seed(), "")).first;
    }
    return it->second;
  };
  const Oracle fails = [&](const std::vector<Step>& steps) { return play(steps).failed; };

  std::map<std::string, std::size_t> by_minimal;  // variant key -> index in result.failures
  const auto started = std::chrono::steady_clock::now();
  for (const Variant& variant : variants) {
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    if (result.tried >= options.budget || (options.time_s > 0 && elapsed >= options.time_s) ||
        (options.stop != nullptr && options.stop->load())) {
      result.stopped_early = true;
      break;
    }
    ++result.tried;
    const bool failed = play(variant.steps).failed;
    if (failed) {
      std::vector<Step> minimal = shrink(variant.steps, fails);
      const std::string key = variant_key(events, minimal);
      auto [it, fresh] = by_minimal.try_emplace(key, result.failures.size());
      if (fresh) {
        Failure f;
        f.number = result.failures.size() + 1;
        f.steps = std::move(minimal);
        f.reason = play(f.steps).reason;
        f.kind = variant.kind;
        // Fresh calls again: a failure that does not come back every time is flaky.
        for (int run = 0; run < options.confirmations; ++run) {
          const bool last = run + 1 == options.confirmations;
          f.seed = next_seed();
          ++result.trials;
          if (!trial(f.steps, f.seed, last ? journal_path(f) : "").failed) f.flaky = true;
        }
        result.failures.push_back(std::move(f));
      }
      ++result.failures[it->second].occurrences;
    }
    if (progress) progress(result.tried, variants.size(), result.failures.size());
  }
  return result;
}

}  // namespace callhook::explore
