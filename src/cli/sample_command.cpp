// callhook sample: one realistic payload, exactly as it would be sent.
#include <algorithm>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "engine/plan.hpp"
#include "engine/script.hpp"
#include "faults/faults.hpp"
#include "population/population.hpp"
#include "scenario/load.hpp"

namespace callhook::cli {

int command_sample(const std::vector<std::string>& args) {
  constexpr const char* usage =
      "callhook sample VENDOR EVENT [--seed N] [--set POINTER=VALUE]... [--platform P] [--config JSON]\n\n"
      "Prints the body of one EVENT webhook of a synthetic call, exactly as callhook would send it\n"
      "(for GET deliveries, the URL with its query). --config is the vendor_config object.";
  std::string vendor_name, event, platform, config_text = "{}", direction = "inbound";
  std::int64_t seed = 1;
  std::vector<std::string> sets;
  po::options_description options("options");
  options.add_options()("vendor", po::value(&vendor_name)->required(), "vendor")(
      "event", po::value(&event)->required(), "event name")("seed", po::value(&seed), "seed (default 1)")(
      "set", po::value(&sets), "POINTER=VALUE: set a payload field (repeatable)")(
      "platform", po::value(&platform), "calls.platform value")(
      "direction", po::value(&direction), "inbound or outbound")(
      "config", po::value(&config_text), "vendor_config as JSON");
  po::positional_options_description positional;
  positional.add("vendor", 1).add("event", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, usage)) return k_exit_ok;

  const auto [config, config_failure] = util::parse_json(config_text, util::k_flag_json);
  if (config_failure) throw UsageError("--config: " + flag_problem(*config_failure));
  // A one-stream scenario, checked by the same loader as a file. Events that
  // only some calls send (an agent transfer) get a caller who sends them.
  const auto make_plan = [&](bool wants_agent, util::Problems& problems) -> std::optional<engine::RunPlan> {
    util::Json calls = {{"count", 1}, {"direction", direction}, {"turns", 4}, {"duration_s", 95},
                        {"transfer_p", wants_agent ? 1 : 0}};
    if (!platform.empty()) calls["platform"] = platform;
    util::Json stream = {{"vendor", vendor_name}, {"target", "http://127.0.0.1:8080/webhooks"},
                         {"vendor_config", config}, {"calls", calls}};
    const util::Json doc = {{"seed", seed}, {"streams", util::Json::array({stream})}};
    auto loaded = scenario::parse_scenario(doc.dump(), "sample", engine::vendor_catalog());
    problems = std::move(loaded.problems);
    if (!problems.empty()) return std::nullopt;
    return engine::make_plan(std::move(*loaded.scenario), "", "", "http://127.0.0.1:8080/recordings", problems);
  };
  util::Problems problems;
  auto plan = make_plan(false, problems);
  if (!plan) {
    std::cerr << problems.format("sample");
    return k_exit_bad_input;
  }
  const auto& info = *plan->streams[0].info;
  if (std::find(info.events.begin(), info.events.end(), event) == info.events.end()) {
    const std::string guess = util::did_you_mean(event, info.events);
    std::string list;
    for (const auto& e : info.events) list += (list.empty() ? "" : ", ") + e;
    throw UsageError("vendor " + info.name + " has no event \"" + event + "\"" +
                     (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") + "; its events: " + list);
  }
  std::map<std::string, util::Json> overrides;
  for (const auto& s : sets) {
    const SetFlag flag = parse_set_flag(s);
    overrides[flag.pointer] = flag.value;
  }
  for (const bool wants_agent : {false, true}) {
    if (wants_agent) plan = make_plan(true, problems);
    const auto call = population::make_call(plan->scenario, 0, 0, plan->scenario.epoch_ms);
    for (auto& d : engine::whole_session(*plan->streams[0].vendor, call)) {
      if (d.event != event) continue;
      faults::apply_overrides(d, overrides);
      std::cout << (d.method == "GET" ? d.url : d.body) << "\n";
      return k_exit_ok;
    }
  }
  std::cerr << "callhook: error: a default " << info.name << " call sends no \"" << event
            << "\" (it may need a vendor_config setting; see docs/vendors.md)\n";
  return k_exit_bad_input;
}

}  // namespace callhook::cli
