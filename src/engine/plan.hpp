#pragma once
// Everything a run needs, checked before the network is touched: the
// scenario and one configured vendor profile per stream, with the delivery
// settings resolved per event (scenario over vendor defaults).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/script.hpp"
#include "scenario/load.hpp"
#include "scenario/scenario.hpp"
#include "vendors/vendor.hpp"

namespace callhook::engine {

// How a call's attempts may overlap on the wire (see engine/timeline.hpp).
enum class Ordering { Timeline, Concurrent, Strict };
Ordering ordering_from_name(std::string_view name);  // "timeline", "concurrent" or "strict"
const char* ordering_name(Ordering ordering);

// Delivery settings for one (stream, event), defaults filled in.
struct EventSettings {
  std::int64_t timeout_ms = 10000;
  std::int64_t connect_timeout_ms = 5000;
  scenario::RetryPolicy retry;
  scenario::Signing signing;
  Ordering ordering = Ordering::Timeline;
};

struct StreamPlan {
  const vendors::VendorInfo* info = nullptr;
  std::unique_ptr<vendors::Vendor> vendor;
  vendors::StreamContext context;
  std::map<std::string, EventSettings, std::less<>> settings;  // by event; "" = stream default
  const EventSettings& for_event(std::string_view event) const;
};

struct RunPlan {
  scenario::Scenario scenario;
  std::vector<StreamPlan> streams;
  std::vector<vendors::Delivery> script;       // the scenario's script, in send order
  std::size_t script_calls = 0;                // distinct aliases in the script
  std::vector<ScriptCall> script_aliases;      // each alias's call, for probes
  std::vector<std::uint32_t> script_alias_of;  // per script delivery: its call in script_aliases
};

// The orderings the plan's streams use, e.g. "timeline" or "timeline/strict"
// (a script is always strict and is not counted).
std::string ordering_summary(const RunPlan& plan);

// Configures each stream's vendor. `target` (from --target, may be "")
// replaces every stream's target; streams without one use `default_target`.
// Problems are reported with the scenario's pointers.
std::optional<RunPlan> make_plan(scenario::Scenario scenario, const std::string& target,
                                 const std::string& default_target, const std::string& recordings_url,
                                 util::Problems& problems);

}  // namespace callhook::engine
