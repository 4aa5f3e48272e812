#pragma once
// A scenario's "script": exact events, in an exact order, at exact times,
// for writing a delivery-order bug down as a scenario.
#include <cstdint>
#include <vector>

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
// 200: used for scripts and for `callhook sample`.
std::vector<vendors::Delivery> whole_session(const vendors::Vendor& vendor, const population::Call& call);

// The script's deliveries in send order, each due at epoch + at_ms. Every
// alias is one call of its stream, planned in full by the stream's vendor
// (handshakes answered as accepted); step k takes that call's next delivery
// of the named event, and keeps that delivery's place in the call's plan
// (Delivery::seq, its place in the call's lifecycle). A step naming an
// event the call doesn't have is a problem at /script/<k>/event.
std::vector<vendors::Delivery> build_script(const scenario::Scenario& scenario, const std::vector<StreamPlan>& streams,
                                            util::Problems& problems);

}  // namespace callhook::engine
