#pragma once
// One realistic webhook of a synthetic call, exactly as a run would send it:
// what `callhook sample` prints and what `callhook serve` answers for
// /vendors/{vendor}/events/{event}/sample and sends for POST /trigger.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/plan.hpp"
#include "run/field_sets.hpp"
#include "util/header.hpp"
#include "util/json_cursor.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::run {

// Where a sample's recording URLs point when nothing serves them.
inline constexpr std::string_view k_sample_recordings_url = "http://127.0.0.1:8080/recordings";

struct SampleRequest {
  std::string vendor;
  std::string event;
  util::Json seed = 1;                   // checked by the scenario loader (a problem at /seed)
  std::optional<std::int64_t> epoch_ms;  // the call's start, unix ms; the scenario default when unset
  std::string platform;                  // calls.platform, "" = the vendor's default
  std::string direction = "inbound";
  util::Json vendor_config = util::Json::object();
  util::Json delivery = nullptr;  // the stream's "delivery" object (signing, ...), null = defaults
  std::string target = "http://127.0.0.1:8080/webhooks";
  // The base of the recording URLs written into bodies (nothing listens at
  // the default; `callhook trigger` serves its own).
  std::string recordings_url = std::string(k_sample_recordings_url);
  std::vector<FieldSet> sets;  // payload overrides, checked against the delivery
};

// The call a sample comes from: its plan, its session right after the
// batch of the sampled delivery (so a handshake answer can be handed to
// resume()), and that delivery with the idempotency id a run gives it
// (svix-id / webhook-id when signed), the request's sets not yet applied.
struct SampleCall {
  engine::RunPlan plan;
  std::unique_ptr<vendors::Session> session;
  vendors::Delivery delivery;

  const engine::EventSettings& settings() const { return plan.streams[0].for_event(delivery.event); }
  // The headers an attempt of the delivery sends at now_ms (unix), signed as
  // the engine signs.
  util::Headers headers(std::int64_t now_ms) const;
};

// The one-stream scenario of the request's call: one default call (four
// turns, 95 s; transferred to an agent when wants_agent), its stream as the
// request gives it. An empty target leaves the stream's "target" out.
util::Json sample_scenario(const SampleRequest& request, bool wants_agent);

// The first `event` delivery of a default call (or of one transferred to an
// agent, for events only those send), with its call. Returns nullopt with
// problems (JSON pointers into the one-stream scenario built from the
// request) when the request is not valid; throws BadInput (run_session.hpp)
// when the vendor has no such event or a default call never sends it.
std::optional<SampleCall> sample_call(const SampleRequest& request, util::Problems& problems);

struct Sample {
  vendors::Delivery delivery;
  // The headers an attempt sends: Content-Type, User-Agent, the vendor's,
  // then the signature when the stream signs.
  util::Headers headers;
};

// sample_call's delivery with the request's sets applied (throws
// FieldSetError when one does not fit), and the headers it is sent with now.
std::optional<Sample> sample_delivery(const SampleRequest& request, util::Problems& problems);

}  // namespace callhook::run
