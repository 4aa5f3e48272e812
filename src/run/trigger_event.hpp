#pragma once
// One event sent to a receiver and its answer judged as the vendor judges
// it: what `callhook trigger` and `POST /trigger` both do with a sampled
// delivery (run/sample_delivery).
#include <cstdint>
#include <string>
#include <vector>

#include "delivery/retry.hpp"
#include "delivery/transport.hpp"
#include "run/sample_delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::run {

// The attempt as a run would send it at now_ms (unix): the vendor's headers
// and signature, and the answer and connect timeouts of the event.
delivery::HttpRequest trigger_request(const SampleCall& call, std::int64_t now_ms);

struct TriggerOutcome {
  delivery::HttpResult result;  // the answer (status, body, latency) or the transport error
  delivery::Verdict verdict = delivery::Verdict::Failed;
  std::int64_t timeout_ms = 0;  // the vendor's limit for the event
  bool handshake = false;       // the vendor reads the answer (VoiceBot session_start, VoiceKit callStartedHook)
  std::vector<vendors::Finding> findings;  // what the vendor would reject in a handshake answer
  // Whether the vendor would take the answer: a 2xx within its timeout,
  // and a handshake answer without findings.
  bool accepted() const { return verdict == delivery::Verdict::Delivered && findings.empty(); }
};

// Sends `request` on a transport of its own, waits for the answer (the
// request's timeout bounds the wait) and judges it; a handshake answer goes
// to the call's session as the engine hands it over.
TriggerOutcome send_and_judge(SampleCall& call, delivery::HttpRequest request, bool insecure);

// "delivered", "too_slow" or "failed".
const char* verdict_name(delivery::Verdict verdict);

}  // namespace callhook::run
