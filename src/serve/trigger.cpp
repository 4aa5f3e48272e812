#include "serve/trigger.hpp"

#include "run/trigger_event.hpp"
#include "serve/run_policy.hpp"
#include "sink/recordings.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"
#include "util/utf8.hpp"

namespace callhook::serve {
namespace {

using OJson = nlohmann::ordered_json;

// The body's fields as a sample request; problems at their pointers.
run::SampleRequest read_request(const util::Cursor& root, util::Problems& problems) {
  root.keys({"vendor", "event", "target", "seed", "platform", "direction", "vendor_config", "delivery", "set", "add",
             "insecure", "timeout_ms"});
  run::SampleRequest request;
  root["vendor"].require();
  root["event"].require();
  root["target"].require();
  request.vendor = root["vendor"].string(false).value_or("");
  request.event = root["event"].string(false).value_or("");
  if (const auto target = root["target"].string(false)) {
    if (util::parse_url(*target))
      request.target = *target;
    else
      root["target"].fail("expected an http:// or https:// URL, got " + util::describe(*root["target"].node()));
  }
  request.seed = root["seed"].integer_or(1, 0);
  request.platform = root["platform"].string().value_or("");
  request.direction = root["direction"].one_of({"inbound", "outbound"}).value_or("inbound");
  if (root["vendor_config"].present() && root["vendor_config"].is_object())
    request.vendor_config = *root["vendor_config"].node();
  if (root["delivery"].present()) request.delivery = *root["delivery"].node();
  // "timeout_ms" is the vendor's limit for this event, as delivery.timeout_ms.
  if (const auto timeout = root["timeout_ms"].integer(1, 600000)) {
    if (request.delivery.is_null()) request.delivery = util::Json::object();
    if (request.delivery.is_object()) request.delivery["timeout_ms"] = *timeout;
  }
  request.sets = run::parse_field_members(root, problems);
  return request;
}

// The sample scenario's pointers as the body's members: the stream's
// vendor, target, vendor_config and delivery, its calls' platform and
// direction are the body's own.
std::string body_pointer(const std::string& pointer) {
  const std::string calls = "/streams/0/calls", stream = "/streams/0";
  if (pointer.rfind(calls + "/", 0) == 0) return pointer.substr(calls.size());
  if (pointer.rfind(stream + "/", 0) == 0) return pointer.substr(stream.size());
  return pointer;
}

// An answer's body as echoed: at most k_max_echoed_body bytes, cut where a
// UTF-8 character begins: the answer stays small whatever the receiver sent.
void add_echoed_body(OJson& response, const std::string& body) {
  if (body.size() <= k_max_echoed_body) {
    response["body"] = body;
    return;
  }
  response["body"] = std::string(util::utf8_prefix(body, k_max_echoed_body));
  response["body_truncated"] = true;
}

OJson request_json(const vendors::Delivery& d, const util::Headers& sent) {
  OJson headers = OJson::array();
  for (const auto& h : sent) headers.push_back({h.name, h.value});
  return {{"method", d.method}, {"url", d.url}, {"event", d.event}, {"headers", headers}, {"body", d.body}};
}

}  // namespace

std::optional<OJson> send_trigger(const util::Json& body, const TargetPolicy& targets, util::Problems& problems) {
  const util::Cursor root(&body, "", problems);
  run::SampleRequest request = read_request(root, problems);
  const bool insecure = root["insecure"].boolean().value_or(false);
  if (!problems.empty()) return std::nullopt;
  util::Problems refused;
  if (refuse_target(targets, request.target, "/target", refused)) throw RequestRefused(403, std::move(refused));

  // The recording URLs the body carries answer until the receiver's
  // answer comes (a receiver may download the recording on arrival).
  sink::RecordingServer recordings;
  try {
    recordings.start("127.0.0.1", 0);
    request.recordings_url = recordings.base_url();
  } catch (const std::exception&) {
    // No port: the body keeps run::k_sample_recordings_url.
  }
  util::Problems sample_problems;
  auto call = run::sample_call(request, sample_problems);
  if (!call) {
    for (const auto& p : sample_problems.list()) problems.add(body_pointer(p.pointer), p.message);
    return std::nullopt;
  }
  try {
    run::apply_field_sets(call->delivery, call->plan.streams[0].info->events, request.sets);
  } catch (const run::FieldSetError& e) {
    run::add_problem(problems, e);
    return std::nullopt;
  }
  const std::int64_t now_ms = util::SystemClock().unix_ms();
  delivery::HttpRequest http = run::trigger_request(*call, now_ms);
  OJson out;
  out["request"] = request_json(call->delivery, http.headers);
  const run::TriggerOutcome outcome = run::send_and_judge(*call, std::move(http), insecure);
  const auto& result = outcome.result;
  if (result.error != delivery::ErrorKind::None) {
    out["response"] = nullptr;
    out["error"] =
        std::string(delivery::error_name(result.error)) + (result.error_text.empty() ? "" : ": " + result.error_text);
  } else {
    OJson response = {{"status", result.status}};
    add_echoed_body(response, result.body);
    response["latency_ms"] = static_cast<double>(result.latency_us) / 1e3;
    out["response"] = std::move(response);
    out["error"] = nullptr;
  }
  OJson findings = OJson::array();
  for (const auto& f : outcome.findings) findings.push_back(f.message);
  out["verdict"] = run::verdict_name(outcome.verdict);
  out["timeout_ms"] = outcome.timeout_ms;
  out["findings"] = std::move(findings);
  out["accepted"] = outcome.accepted();
  return out;
}

}  // namespace callhook::serve
