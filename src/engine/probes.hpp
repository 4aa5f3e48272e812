#pragma once
// State probes: after a call ends, a request for the receiver's state of
// that call, checked against what callhook knows of the call. Probes use the
// deliveries' transport and queue but are not deliveries: they are never
// retried, signed or counted as planned. A probe with until_ms asks again
// every interval_ms (on the engine's wake-up heap, never blocking the loop)
// until the answer passes or the deadline passes; the last answer judges.
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "delivery/transport.hpp"
#include "population/call.hpp"
#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::engine {

// The facts of one call by placeholder name ("call.id", "call.turns",
// "call.delivered.<event>", "call.vendor.<name>"), with their JSON types.
using CallFacts = std::map<std::string, util::Json, std::less<>>;

// What the population and the session decided of a call. The delivered
// counts start empty (an event never accepted counts 0).
CallFacts call_facts(const population::Call& call, const vendors::SessionFacts& session,
                     const std::string& default_platform);
// One more 2xx answer to a delivery of `event` of the call.
void count_delivered(CallFacts& facts, const std::string& event);
// The value of a placeholder name ("call_id" is "call.id"); null for a fact
// the call does not have.
util::Json fact_value(const CallFacts& facts, std::string_view name);
// `text` with each placeholder replaced by its fact as text (percent-encoded when `in_url`).
std::string fill_text(std::string_view text, const CallFacts& facts, bool in_url = false);
// `value` with its placeholders filled, recursively; a string that is one
// placeholder and nothing else becomes the fact itself (a number stays a number).
util::Json fill_value(const util::Json& value, const CallFacts& facts);

// The probe request for a call: method, URL, headers and body filled in.
vendors::Delivery probe_request(const scenario::StateProbe& probe, const CallFacts& facts);

// One answer judged: request, status, error, answer (at most
// k_probe_answer_bytes), the verdict and the first mismatch. The caller
// fills in polls and wall times.
report::ProbeResult judge_probe(const scenario::StateProbe& probe, const CallFacts& facts,
                                const vendors::Delivery& request, const delivery::HttpResult& answer);

}  // namespace callhook::engine
