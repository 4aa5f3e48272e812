#pragma once
// One event of one synthetic call, built the way a run builds it: the flags
// become a one-stream scenario checked by the scenario loader, the vendor
// profile plays the call, and the first delivery of the event is kept with
// its session (so a handshake answer can be handed to resume()). Shared by
// `callhook sample` and `callhook trigger`.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "engine/plan.hpp"
#include "vendors/vendor.hpp"

namespace callhook::cli {

struct EventFlags {
  std::string vendor, event, platform, direction = "inbound", config_text = "{}", secret;
  std::string seed_text = "1";
  std::vector<std::string> sets, adds;
  // Adds --seed, --set, --add, --platform, --direction, --config, --secret.
  void add_options(po::options_description& options);
};

struct OneEvent {
  engine::RunPlan plan;
  std::unique_ptr<vendors::Session> session;  // the call's session, right after `delivery`'s batch
  vendors::Delivery delivery;                 // overrides applied
  const engine::EventSettings& settings() const { return plan.streams[0].for_event(delivery.event); }
};

// Throws UsageError for bad flags (unknown vendor or event with did-you-mean,
// bad --config, --set naming no field); returns nullopt after printing the
// scenario problems. epoch_ms: the call's start (nullopt: the default epoch).
std::optional<OneEvent> make_one_event(const EventFlags& flags, const std::string& target,
                                       std::optional<std::int64_t> epoch_ms);

}  // namespace callhook::cli
