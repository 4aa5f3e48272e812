#include "explore/trial.hpp"

#include <map>

#include "delivery/make_transport.hpp"
#include "engine/fault_checks.hpp"
#include "engine/plan.hpp"
#include "engine/script.hpp"
#include "population/population.hpp"
#include "run/run_session.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"

namespace callhook::explore {
namespace {

constexpr std::int64_t k_step_gap_ms = 100;  // virtual ms between script steps

// The stream as the file gives it, minus what would add calls or change the
// variant's order: its population and its faults.
nlohmann::ordered_json trial_stream(const TrialSetup& setup) {
  nlohmann::ordered_json stream = setup.document.at("streams").at(0);
  stream.erase("faults");
  if (!setup.target.empty()) stream["target"] = setup.target;
  if (stream.contains("calls")) {
    nlohmann::ordered_json& calls = stream["calls"];
    for (const char* key : {"for_s", "arrival", "max_concurrent"}) calls.erase(key);
    calls["count"] = 0;  // its settings only shape the script's call
  }
  return stream;
}

// "http_503 (2 answers)": the receiver errors of a run, 4xx left out (a
// receiver may refuse what it does not want).
std::string receiver_errors(const report::RunStats& stats) {
  std::string out;
  for (const auto& [name, count] : stats.errors()) {
    if (name.rfind("http_4", 0) == 0) continue;
    if (!out.empty()) out += ", ";
    out += name + " (" + std::to_string(count) + (count == 1 ? " answer)" : " answers)");
  }
  return out;
}

// Asks the receiver to forget what it holds; an error is the trial's failure.
std::string post_reset(const std::string& url, bool insecure) {
  const auto parsed = util::parse_url(url);
  if (!parsed) return "--reset: not a URL: " + url;
  util::SystemClock clock;
  delivery::TransportOptions options;
  options.connections_per_origin = 1;
  options.insecure = insecure;
  const auto transport = delivery::make_transport(options, clock);
  delivery::HttpRequest request;
  request.url = *parsed;
  request.method = "POST";
  transport->submit(std::move(request));
  std::vector<delivery::HttpResult> done;
  while (done.empty()) transport->poll(done, 100'000);
  const auto& answer = done.front();
  if (answer.error != delivery::ErrorKind::None) return "reset " + url + ": " + delivery::error_name(answer.error);
  if (answer.status / 100 != 2) return "reset " + url + ": status " + std::to_string(answer.status);
  return "";
}

bool is_raw(const nlohmann::ordered_json& step) {
  return step.is_object() && (step.contains("body") || step.contains("body_base64"));
}

// A raw step as one of the variant's: its recorded request at the trial's time.
nlohmann::ordered_json raw_step(const nlohmann::ordered_json& recorded, std::int64_t at_ms) {
  nlohmann::ordered_json step = recorded;
  step["at_ms"] = at_ms;
  for (const char* key : {"copies", "together", "lost_ack", "again"}) step.erase(key);
  return step;
}

}  // namespace

std::vector<nlohmann::ordered_json> recorded_call(const nlohmann::ordered_json& document) {
  std::vector<nlohmann::ordered_json> out;
  if (!document.is_object() || !document.contains("script") || !document["script"].is_array()) return out;
  for (const auto& step : document["script"])
    if (is_raw(step) && step.value("stream", 0) == 0) out.push_back(step);
  return out;
}

nlohmann::ordered_json trial_scenario(const TrialSetup& setup, const std::vector<std::string>& events,
                                      const std::vector<Step>& steps, std::uint64_t seed) {
  nlohmann::ordered_json doc;
  doc["name"] = setup.scenario.name;
  doc["seed"] = seed;
  if (setup.document.contains("epoch")) doc["epoch"] = setup.document["epoch"];
  doc["speed"] = "max";
  doc["streams"] = nlohmann::ordered_json::array({trial_stream(setup)});
  nlohmann::ordered_json script = nlohmann::ordered_json::array();
  std::vector<bool> sent(events.size(), false);
  int lost_acks = 0;  // each is retried once
  for (std::size_t i = 0; i < steps.size(); ++i) {
    nlohmann::ordered_json step;
    const std::int64_t at_ms = static_cast<std::int64_t>(i) * k_step_gap_ms;
    if (!setup.raw_steps.empty()) {
      // A recorded request sent again is the same bytes and id: no "again" needed.
      step = raw_step(setup.raw_steps.at(steps[i].delivery), at_ms);
    } else {
      step["at_ms"] = at_ms;
      step["call"] = "A";
      step["event"] = events.at(steps[i].delivery);
    }
    if (steps[i].copies > 1) step["copies"] = steps[i].copies;
    if (steps[i].together) step["together"] = true;
    if (steps[i].lost_ack) {
      step["lost_ack"] = true;
      lost_acks += steps[i].copies;
    }
    if (sent.at(steps[i].delivery) && setup.raw_steps.empty()) step["again"] = true;
    sent[steps[i].delivery] = true;
    script.push_back(std::move(step));
  }
  doc["script"] = std::move(script);
  doc["expect"] = {{"failed", 0}, {"retried", lost_acks}, {"findings", 0}};
  return doc;
}

std::optional<std::vector<std::string>> call_events(const TrialSetup& setup, std::uint64_t seed,
                                                    util::Problems& problems) {
  if (!setup.raw_steps.empty()) {
    // The recorded requests, each its own delivery: a repeated event is told
    // apart by its number ("transcript#2").
    std::vector<std::string> events;
    std::map<std::string, int> seen;
    for (const auto& step : setup.raw_steps) {
      const std::string event = step.value("event", std::string("request"));
      const int n = ++seen[event];
      events.push_back(n == 1 ? event : event + "#" + std::to_string(n));
    }
    return events;
  }
  scenario::Scenario s = setup.scenario;
  s.seed = seed;
  s.script.clear();
  const auto plan =
      engine::make_plan(s, setup.target, "http://127.0.0.1:9/webhooks", "http://127.0.0.1:9/recordings", problems);
  if (!plan || !plan->streams.front().vendor) return std::nullopt;
  // The script's first alias is call k_script_call_index + 1, started at the epoch.
  const auto call = population::make_call(s, 0, engine::k_script_call_index + 1, s.epoch_ms);
  std::vector<std::string> events;
  for (const auto& d : engine::whole_session(*plan->streams.front().vendor, call)) events.push_back(d.event);
  return events;
}

std::vector<bool> lost_ack_deliveries(const TrialSetup& setup, const std::vector<std::string>& events) {
  util::Problems ignored;
  const auto plan = engine::make_plan(setup.scenario, setup.target, "http://127.0.0.1:9/webhooks",
                                      "http://127.0.0.1:9/recordings", ignored);
  std::vector<bool> out(events.size(), false);
  if (!plan) return out;
  for (std::size_t d = 0; d < events.size(); ++d)
    out[d] = engine::lost_ack_problem(plan->streams.front().for_event(events[d].substr(0, events[d].find('#'))).retry)
                 .empty();
  return out;
}

TrialResult run_trial(const TrialSetup& setup, const nlohmann::ordered_json& scenario,
                      const std::string& journal_path) {
  if (!setup.reset_url.empty())
    if (std::string problem = post_reset(setup.reset_url, setup.insecure); !problem.empty()) return {true, problem};
  run::RunOptions options;
  options.scenario_path = setup.source;
  options.scenario_text = scenario.dump();
  options.target = setup.target;
  options.threads = 1;
  options.connections = 2;  // copies sent "together" need a connection each to overlap
  options.insecure = setup.insecure;
  options.keep_call_ids = false;
  options.journal_path = journal_path;
  run::RunSession session(std::move(options));
  if (!session.prepare()) return {true, "could not run: " + session.problems().format(setup.source)};
  session.run();
  const run::RunResult result = session.finish();
  const report::RunStats& stats = session.stats();
  for (const report::ProbeResult& probe : stats.probes())
    if (!probe.passed) return {true, "probe " + probe.message};
  if (const std::string errors = receiver_errors(stats); !errors.empty()) return {true, errors};
  if (!stats.findings().empty()) return {true, "finding: " + stats.findings().front().message};
  if (stats.totals().failed > 0) return {true, std::to_string(stats.totals().failed) + " deliveries failed"};
  if (result.exit_code != run::k_exit_ok) return {true, "exit code " + std::to_string(result.exit_code)};
  return {};
}

}  // namespace callhook::explore
