#pragma once
// The search of `callhook explore`: try each variant of one call's
// deliveries, shrink every failing one to a minimal variant, confirm it,
// and count failures that shrink to the same minimal variant once.
#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "explore/trial.hpp"
#include "explore/variants.hpp"

namespace callhook::explore {

struct ExploreOptions {
  std::uint64_t seed = 1;
  std::size_t budget = 5000;  // variants tried at most (shrinking and confirming come on top)
  double time_s = 0;          // stop trying new variants after this long (0: no limit)
  bool drops = false;
  std::vector<bool> lost_ack;  // deliveries whose acknowledgement may be lost (VariantOptions::lost_ack)
  int confirmations = 3;       // runs of each minimal variant after shrinking
  // Set from another thread to stop trying new variants (a failure being
  // shrunk is finished first).
  const std::atomic<bool>* stop = nullptr;
};

// One distinct failure: a minimal variant and what it did.
struct Failure {
  std::size_t number = 0;  // 1, 2, ... in the order found
  std::vector<Step> steps;
  std::string reason;           // of the first trial that failed with these steps
  std::string kind;             // the kind of the first variant that shrank to it
  std::size_t occurrences = 0;  // failing variants that shrank to it
  bool flaky = false;           // a confirmation run passed
  std::uint64_t seed = 0;       // of the last confirmation run, whose journal is kept
};

struct ExploreResult {
  std::vector<std::string> events;  // the call's deliveries, in the vendor's order
  std::size_t variants = 0;         // made
  std::size_t tried = 0;            // variants tried
  std::size_t trials = 0;           // trials run in all (shrinking and confirming included)
  bool stopped_early = false;       // the budget or the time ran out first, or it was stopped
  std::vector<Failure> failures;
};

// Plays one trial of `steps` with a call made from `seed`; writes the run's
// journal to `journal` when it is not empty.
using TrialFn =
    std::function<TrialResult(const std::vector<Step>& steps, std::uint64_t seed, const std::string& journal)>;
// The seed of the next trial's call (a fresh call each time).
using SeedFn = std::function<std::uint64_t()>;
// Where failure `number` keeps its journal.
using JournalPathFn = std::function<std::string(const Failure& failure)>;
// Called after each variant tried: variants tried, variants in all, failures so far.
using ProgressFn = std::function<void(std::size_t tried, std::size_t total, std::size_t failures)>;

// The search, start to end.
ExploreResult explore(const std::vector<std::string>& events, const ExploreOptions& options, const TrialFn& trial,
                      const SeedFn& next_seed, const JournalPathFn& journal_path, const ProgressFn& progress = {});

}  // namespace callhook::explore
