#include "serve/run_replay.hpp"

#include <algorithm>

#include "import/import.hpp"
#include "serve/run_request.hpp"
#include "util/did_you_mean.hpp"
#include "util/url.hpp"

namespace callhook::serve {
namespace {

// Fields a replay passes to POST /runs as they are.
constexpr const char* k_passed_on[] = {"connections", "insecure", "grace_ms", "max_duration_s", "label", "id_prefix"};

// Keeps the script steps of one call; false when it has none.
bool keep_call(util::OrderedJson& scenario, const std::string& call, std::vector<std::string>& calls) {
  util::OrderedJson kept = util::OrderedJson::array();
  for (auto& step : scenario["script"]) {
    const std::string id = step.value("call", "");
    if (id == call) kept.push_back(std::move(step));
    if (std::find(calls.begin(), calls.end(), id) == calls.end()) calls.push_back(id);
  }
  scenario["script"] = std::move(kept);
  return !scenario["script"].empty();
}

}  // namespace

std::optional<std::string> replay_run_body(const std::string& journal_path, const std::string& source_id,
                                           const Recorded& recorded, std::string_view body, util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"target", "speed", "only", "delivery", "connections", "insecure", "grace_ms", "max_duration_s", "label",
             "id_prefix"});
  util::OrderedJson run_body = util::OrderedJson::object();
  // As `callhook replay --target`: only the origin; each request keeps its recorded path.
  std::string origin = recorded.origin;
  if (const auto target = root["target"].string(false)) {
    const auto url = util::parse_url(*target);
    if (url)
      origin = url->origin();
    else
      root["target"].fail("expected an http:// or https:// URL, got " + util::describe(*root["target"].node()));
  }
  if (!origin.empty()) run_body["target"] = origin;
  // Paced as recorded: the steps are at their virtual times, so the run's own speed.
  if (root["speed"].present())
    run_body["speed"] = *root["speed"].node();
  else if (recorded.speed)
    run_body["speed"] = *recorded.speed;
  const auto delivery = root["delivery"];
  if (delivery.present() && !delivery.node()->is_object()) delivery.fail_expected("a stream's delivery object");
  const auto only = root["only"].string(false);
  for (const char* key : k_passed_on)
    if (root[key].exists()) run_body[key] = *root[key].node();
  if (!problems.empty()) return std::nullopt;

  import::ImportOptions request;
  request.files = {journal_path};
  request.name = "replay of " + source_id;
  if (!origin.empty()) request.target = origin;
  util::OrderedJson scenario = import::import_captures(request).scenario;
  if (only) {
    std::vector<std::string> calls;
    if (!keep_call(scenario, *only, calls)) {
      const std::string guess = util::did_you_mean(*only, calls);
      root["only"].fail(source_id + " has no request of call \"" + *only + "\"" +
                        (guess.empty() ? "" : " (did you mean " + guess + "?)"));
      return std::nullopt;
    }
  }
  // Each recorded attempt is a step of its own: sent once, never retried.
  util::OrderedJson stream_delivery = {{"retry", {{"max_attempts", 1}}}};
  if (delivery.present())
    for (const auto& [key, value] : delivery.node()->items()) stream_delivery[key] = value;
  for (auto& stream : scenario["streams"]) stream["delivery"] = stream_delivery;
  run_body["scenario"] = std::move(scenario);
  return run_body.dump();
}

}  // namespace callhook::serve
