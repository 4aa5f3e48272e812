#include "run/sample_delivery.hpp"

#include <chrono>

#include "engine/attempt_request.hpp"

#include <algorithm>

#include "delivery/signing.hpp"
#include "engine/plan.hpp"
#include "engine/script.hpp"
#include "faults/faults.hpp"
#include "population/population.hpp"
#include "run/run_session.hpp"
#include "scenario/load.hpp"

namespace callhook::run {

std::optional<Sample> sample_delivery(const SampleRequest& request, util::Problems& problems) {
  // A one-stream scenario, checked by the same loader as a file. Events that
  // only some calls send (an agent transfer) get a caller who sends them.
  const auto make_plan = [&](bool wants_agent) -> std::optional<engine::RunPlan> {
    util::Json calls = {{"count", 1}, {"direction", request.direction}, {"turns", 4}, {"duration_s", 95},
                        {"transfer_p", wants_agent ? 1 : 0}};
    if (!request.platform.empty()) calls["platform"] = request.platform;
    util::Json stream = {{"vendor", request.vendor}, {"target", request.target},
                         {"vendor_config", request.vendor_config}, {"calls", calls}};
    if (!request.delivery.is_null()) stream["delivery"] = request.delivery;
    const util::Json doc = {{"seed", request.seed}, {"streams", util::Json::array({stream})}};
    auto loaded = scenario::parse_scenario(doc.dump(), "sample", engine::vendor_catalog());
    problems = std::move(loaded.problems);
    if (!problems.empty()) return std::nullopt;
    return engine::make_plan(std::move(*loaded.scenario), "", "", "http://127.0.0.1:8080/recordings", problems);
  };
  auto plan = make_plan(false);
  if (!plan) return std::nullopt;
  const auto& info = *plan->streams[0].info;
  if (std::find(info.events.begin(), info.events.end(), request.event) == info.events.end()) {
    const std::string guess = util::did_you_mean(request.event, info.events);
    std::string list;
    for (const auto& e : info.events) list += (list.empty() ? "" : ", ") + e;
    throw BadInput("vendor " + info.name + " has no event \"" + request.event + "\"" +
                   (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") + "; its events: " + list);
  }
  for (const bool wants_agent : {false, true}) {
    if (wants_agent) plan = make_plan(true);
    if (!plan) return std::nullopt;
    const auto call = population::make_call(plan->scenario, 0, 0, plan->scenario.epoch_ms);
    for (auto& d : engine::whole_session(*plan->streams[0].vendor, call)) {
      if (d.event != request.event) continue;
      faults::apply_overrides(d, request.overrides);
      Sample sample;
      // The headers an engine attempt sends, signed as it would sign now.
      const auto& signing = plan->streams[0].for_event(d.event).signing;
      const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::chrono::system_clock::now().time_since_epoch())
                              .count();
      sample.headers = engine::attempt_headers(d, signing, engine::signature_time_s(signing, d.due_ms, now_ms, 0),
                                               false);
      sample.delivery = std::move(d);
      return sample;
    }
  }
  throw BadInput("a default " + info.name + " call sends no \"" + request.event +
                 "\" (it may need a vendor_config setting; see docs/vendors.md)");
}

}  // namespace callhook::run
