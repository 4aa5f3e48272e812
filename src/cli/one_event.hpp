#pragma once
// One event of one synthetic call from the flags of `callhook sample` and
// `callhook trigger`: the flags checked, then run::sample_call (the same
// builder `callhook serve` uses) and the --set / --add overrides
// (run/field_sets, as the API's "set" and "add").
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "run/sample_delivery.hpp"

namespace callhook::cli {

struct EventFlags {
  std::string vendor, event, platform, direction = "inbound", config_text = "{}", secret;
  std::string seed_text = "1";
  std::string recordings_url;  // "" = run::k_sample_recordings_url
  std::vector<std::string> sets, adds;
  // Adds --seed, --set, --add, --platform, --direction, --config, --secret.
  void add_options(po::options_description& options);
};

// The call, its session and the delivery, overrides applied.
using OneEvent = run::SampleCall;

// The flags checked (seed, --config, --set/--add, the vendor with
// did-you-mean), as the request run::sample_call takes; the event as given.
// Throws UsageError.
run::SampleRequest sample_request(const EventFlags& flags, const std::string& target,
                                  std::optional<std::int64_t> epoch_ms);

// Throws UsageError for bad flags (unknown vendor or event with did-you-mean,
// bad --config, --set naming no field); returns nullopt after printing the
// scenario problems. epoch_ms: the call's start (nullopt: the default epoch).
std::optional<OneEvent> make_one_event(const EventFlags& flags, const std::string& target,
                                       std::optional<std::int64_t> epoch_ms);

}  // namespace callhook::cli
