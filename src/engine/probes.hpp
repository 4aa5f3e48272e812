#pragma once
// State probes: after a call ends, a GET of the receiver's state for that
// call, checked against expected values. Probes use the deliveries'
// transport and queue but are not deliveries: they are never retried,
// signed or counted as planned.
#include <string>

#include "delivery/transport.hpp"
#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"
#include "vendors/delivery.hpp"

namespace callhook::engine {

// The probe request for a call ("{call_id}" in the URL template filled in).
vendors::Delivery probe_request(const scenario::StateProbe& probe, const std::string& call_id);

// What the answer says: passed, or the first mismatch.
report::ProbeResult judge_probe(const scenario::StateProbe& probe, const vendors::Delivery& request,
                                const delivery::HttpResult& answer);

}  // namespace callhook::engine
