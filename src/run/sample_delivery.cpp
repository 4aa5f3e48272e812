#include "run/sample_delivery.hpp"

#include <algorithm>
#include <chrono>

#include "engine/attempt_request.hpp"
#include "population/population.hpp"
#include "run/run_session.hpp"
#include "scenario/load.hpp"
#include "util/ids.hpp"
#include "util/time_format.hpp"
#include "vendors/vendor.hpp"

namespace callhook::run {
namespace {

// Handshakes on the way to the event are answered as accepted.
const vendors::Answer k_accepted{true, 200, "{}", ""};

// The request's call as a scenario, checked by the same loader as a file.
std::optional<engine::RunPlan> sample_plan(const SampleRequest& request, bool wants_agent, util::Problems& problems) {
  auto loaded = scenario::parse_scenario(sample_scenario(request, wants_agent).dump(), "sample", vendors::catalog());
  problems = std::move(loaded.problems);
  if (!problems.empty()) return std::nullopt;
  return engine::make_plan(std::move(*loaded.scenario), "", "", request.recordings_url, problems);
}

// The idempotency id a run gives a delivery that has none of its vendor's
// (engine/batch): signatures carry it as svix-id / webhook-id.
void give_event_id(vendors::Delivery& d, std::uint64_t seed, std::uint32_t seq) {
  if (!d.event_id.empty()) return;
  util::Rng id_rng(util::derive(util::derive(seed, 0, 0, "event-id"), seq));
  d.event_id = "msg_" + util::base62_id(id_rng, 27);
}

}  // namespace

util::Json sample_scenario(const SampleRequest& request, bool wants_agent) {
  util::Json calls = {{"count", 1},
                      {"direction", request.direction},
                      {"turns", 4},
                      {"duration_s", 95},
                      {"transfer_p", wants_agent ? 1 : 0}};
  if (!request.platform.empty()) calls["platform"] = request.platform;
  util::Json stream = {{"vendor", request.vendor}, {"vendor_config", request.vendor_config}, {"calls", calls}};
  if (!request.target.empty()) stream["target"] = request.target;
  if (!request.delivery.is_null()) stream["delivery"] = request.delivery;
  util::Json doc = {{"seed", request.seed}, {"streams", util::Json::array({stream})}};
  if (request.epoch_ms) doc["epoch"] = util::iso8601_s(*request.epoch_ms);
  return doc;
}

util::Headers SampleCall::headers(std::int64_t now_ms) const {
  const auto& signing = settings().signing;
  return engine::attempt_headers(delivery, signing, engine::signature_time_s(signing, delivery.due_ms, now_ms, 0),
                                 false);
}

std::optional<SampleCall> sample_call(const SampleRequest& request, util::Problems& problems) {
  auto plan = sample_plan(request, false, problems);
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
    if (wants_agent) plan = sample_plan(request, true, problems);
    if (!plan) return std::nullopt;
    const auto call = population::make_call(plan->scenario, 0, 0, plan->scenario.epoch_ms);
    auto session = plan->streams[0].vendor->open(call);
    auto batch = session->start();
    std::uint32_t seq = 0;  // the delivery's number within its call, as a run numbers it
    for (int rounds = 0; rounds < 64 && !batch.empty(); ++rounds) {
      for (auto& d : batch) {
        if (d.event == request.event) {
          give_event_id(d, plan->scenario.seed, seq);
          return SampleCall{std::move(*plan), std::move(session), std::move(d)};
        }
        ++seq;
      }
      if (!batch.back().blocking) break;
      std::vector<vendors::Finding> ignored;
      const vendors::Delivery last = batch.back();
      batch = session->resume(last, k_accepted, ignored);
    }
  }
  for (const auto& [event, config] : info.event_configs)
    if (event == request.event)
      throw BadInput("a default " + info.name + " call sends no \"" + request.event + "\": it needs vendor_config " +
                     config + " (--config '" + config + "')");
  throw BadInput("a default " + info.name + " call sends no \"" + request.event +
                 "\" (it may need a vendor_config setting: callhook vendors " + info.name +
                 " and docs/vendors.md list them)");
}

std::optional<Sample> sample_delivery(const SampleRequest& request, util::Problems& problems) {
  auto call = sample_call(request, problems);
  if (!call) return std::nullopt;
  apply_field_sets(call->delivery, call->plan.streams[0].info->events, request.sets);
  const auto now_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  Sample sample;
  sample.headers = call->headers(now_ms);
  sample.delivery = std::move(call->delivery);
  return sample;
}

}  // namespace callhook::run
