#pragma once
// One whole call sent to a receiver (`callhook trigger VENDOR --call`): the
// call a sample comes from, played by a RunSession at max speed with one
// attempt per delivery, so handshake answers shape the rest of the call as
// in a run (VoiceBot session_start overrides, VoiceKit callStartedHook), and
// each delivery judged as `callhook trigger` judges one event.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "run/sample_delivery.hpp"

namespace callhook::run {

struct CallTriggerOptions {
  SampleRequest call;  // vendor, seed, platform, direction, vendor_config, delivery, target, sets; event unused
  bool insecure = false;
  std::string journal_path;  // "" = a temporary journal
  // The recording server's address (any loopback port when unset) and the
  // base URL the payloads show ("" = the server's), as run's flags.
  std::optional<std::string> recordings_host;
  int recordings_port = 0;
  std::string recordings_url;
};

// One delivery of the call as it ended.
struct CallDelivery {
  std::string key;  // the journal's delivery key
  std::string event;
  int status = 0;     // 0 when no answer
  std::string error;  // the transport error kind, "" when answered
  std::int64_t latency_us = 0;
  std::string result;                 // the final record's: "delivered", "failed", "cancelled"
  std::string reason;                 // why it was not delivered
  std::vector<std::string> findings;  // what the vendor would reject in its answer (a handshake)
  bool accepted() const { return result == "delivered" && findings.empty(); }
};

struct CallTriggerResult {
  std::vector<CallDelivery> deliveries;  // in the order they ended (each waits for the one before)
  std::string call_id;
  bool accepted() const;  // every delivery accepted, and at least one sent
};

// Plays the call. Returns nullopt with problems when the request is not a
// valid scenario; throws BadInput for a --set that fits no event and
// std::runtime_error when the built-in sink cannot start. An empty target
// sends to a built-in sink.
std::optional<CallTriggerResult> trigger_call(const CallTriggerOptions& options, util::Problems& problems);

}  // namespace callhook::run
