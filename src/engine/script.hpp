#pragma once
// A scenario's "script": exact events, in an exact order, at exact times,
// for writing a delivery-order bug down as a scenario.
#include <cstdint>
#include <string>
#include <vector>

#include "engine/probes.hpp"
#include "population/call.hpp"
#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::engine {

struct StreamPlan;

// Calls made for script aliases are numbered from here, apart from the
// generated population.
constexpr std::uint64_t k_script_call_index = 1ULL << 40;

// Everything a session sends when each handshake is accepted with an empty
// 200: used for scripts and for `callhook sample`. `facts`, when given,
// receives what the session says of the call.
std::vector<vendors::Delivery> whole_session(const vendors::Vendor& vendor, const population::Call& call,
                                             vendors::SessionFacts* facts = nullptr);

// A raw step's URL: `target` without its query and trailing '/', then
// `path` ("/hooks/a?x=1"); the target itself when `path` is empty.
std::string join_target(const std::string& target, const std::string& path);

// One call of the script (an alias): its stream and facts, for the stream's probe.
struct ScriptCall {
  std::size_t stream = 0;
  CallFacts facts;
};

// The script's deliveries in send order, each due at epoch + at_ms. Every
// alias is one call of its stream, planned in full by the stream's vendor
// (handshakes answered as accepted); step k takes that call's next delivery
// of the named event, and keeps that delivery's place in the call's plan
// (Delivery::seq, its place in the call's lifecycle). A step naming an
// event the call doesn't have is a problem at /script/<k>/event. A step
// with "again" sends the delivery the alias's last step of its event sent
// (same id, body and place), a problem at /script/<k>/again when none did;
// a raw step (ScriptStep::raw) sends its own bytes, its place being its
// position among the alias's raw steps;
// one with "lost_ack" needs the event's retries (/script/<k>/lost_ack);
// "together" copies share Delivery::together. `calls`,
// when given, receives each alias's call and `call_of` the index there of
// each delivery's call.
std::vector<vendors::Delivery> build_script(const scenario::Scenario& scenario, const std::vector<StreamPlan>& streams,
                                            util::Problems& problems, std::vector<ScriptCall>* calls = nullptr,
                                            std::vector<std::uint32_t>* call_of = nullptr);

}  // namespace callhook::engine
