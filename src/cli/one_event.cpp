#include "cli/one_event.hpp"

#include <algorithm>
#include <iostream>

#include "cli/cli.hpp"
#include "faults/faults.hpp"
#include "population/population.hpp"
#include "scenario/load.hpp"
#include "util/time_format.hpp"

namespace callhook::cli {
namespace {

// Handshakes on the way to the event are answered as accepted.
const vendors::Answer k_accepted{true, 200, "{}", ""};

}  // namespace

void EventFlags::add_options(po::options_description& options) {
  options.add_options()("seed", po::value(&seed_text)->value_name("N"), "seed of the synthetic call (default 1)")(
      "set", po::value(&sets)->value_name("POINTER=VALUE"), "change a payload field (repeatable)")(
      "add", po::value(&adds)->value_name("POINTER=VALUE"), "add a payload field (repeatable)")(
      "platform", po::value(&platform)->value_name("P"), "calls.platform value (callhook vendors VENDOR lists them)")(
      "direction", po::value(&direction)->value_name("inbound|outbound"), "call direction (default inbound)")(
      "config", po::value(&config_text)->value_name("JSON"), "vendor_config object (callhook vendors VENDOR lists keys)")(
      "secret", po::value(&secret)->value_name("S"), "signing secret: sign as the vendor signs");
}

std::optional<OneEvent> make_one_event(const EventFlags& flags, const std::string& target,
                                       std::optional<std::int64_t> epoch_ms) {
  const std::uint64_t seed = parse_seed("--seed", flags.seed_text);
  const auto [config, config_failure] = util::parse_json(flags.config_text, util::k_flag_json);
  if (config_failure && config_failure->kind != util::JsonFailure::Kind::Syntax)
    throw UsageError("--config: " + flag_problem(*config_failure));
  if (config_failure || !config.is_object())
    throw UsageError("--config: expected a JSON object such as '{\"bot_name\":\"demo\"}', got \"" +
                     flags.config_text + "\"");
  const std::vector<SetFlag> set_flags = parse_set_flags(flags.sets, flags.adds);

  // A one-stream scenario, checked by the same loader as a file. Events that
  // only some calls send (an agent transfer) get a caller who sends them.
  const auto make_plan = [&](bool wants_agent, util::Problems& problems) -> std::optional<engine::RunPlan> {
    util::Json calls = {{"count", 1}, {"direction", flags.direction}, {"turns", 4}, {"duration_s", 95},
                        {"transfer_p", wants_agent ? 1 : 0}};
    if (!flags.platform.empty()) calls["platform"] = flags.platform;
    util::Json stream = {{"vendor", flags.vendor}, {"target", target}, {"vendor_config", config}, {"calls", calls}};
    if (!flags.secret.empty()) stream["delivery"] = {{"signing", {{"secret", flags.secret}}}};
    util::Json doc = {{"seed", seed}, {"streams", util::Json::array({stream})}};
    if (epoch_ms) doc["epoch"] = util::iso8601_s(*epoch_ms);
    auto loaded = scenario::parse_scenario(doc.dump(), "command line", engine::vendor_catalog());
    problems = std::move(loaded.problems);
    if (!problems.empty()) return std::nullopt;
    return engine::make_plan(std::move(*loaded.scenario), "", "", "http://127.0.0.1:8080/recordings", problems);
  };

  if (!vendors::find_vendor(flags.vendor)) {
    std::vector<std::string> names;
    for (const auto& v : vendors::registry()) names.push_back(v.name);
    const std::string guess = util::did_you_mean(flags.vendor, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw UsageError("no vendor \"" + flags.vendor + "\"" + (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                     "; vendors: " + list);
  }
  const auto& info = *vendors::find_vendor(flags.vendor);
  if (std::find(info.events.begin(), info.events.end(), flags.event) == info.events.end()) {
    const std::string guess = util::did_you_mean(flags.event, info.events);
    std::string list;
    for (const auto& e : info.events) list += (list.empty() ? "" : ", ") + e;
    throw UsageError("vendor " + info.name + " has no event \"" + flags.event + "\"" +
                     (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") + "; its events: " + list);
  }
  for (const auto& flag : set_flags)
    if (!flag.event.empty() && flag.event != flags.event)
      throw UsageError(flag.flag + " \"" + flag.text + "\": this command sends only " + flags.event);

  for (const bool wants_agent : {false, true}) {
    util::Problems problems;
    auto plan = make_plan(wants_agent, problems);
    if (!plan) {
      std::cerr << problems.format("command line");
      return std::nullopt;
    }
    const auto call = population::make_call(plan->scenario, 0, 0, plan->scenario.epoch_ms);
    auto session = plan->streams[0].vendor->open(call);
    auto batch = session->start();
    for (int rounds = 0; rounds < 64 && !batch.empty(); ++rounds) {
      for (auto& d : batch) {
        if (d.event != flags.event) continue;
        check_set_flags(set_flags, info.events, {d});
        std::map<std::string, util::Json> overrides;
        for (const auto& flag : set_flags) overrides[flag.pointer] = flag.value;
        faults::apply_overrides(d, overrides);
        return OneEvent{std::move(*plan), std::move(session), std::move(d)};
      }
      if (!batch.back().blocking) break;
      std::vector<vendors::Finding> ignored;
      const vendors::Delivery last = batch.back();
      batch = session->resume(last, k_accepted, ignored);
    }
  }
  throw UsageError("a default " + info.name + " call sends no \"" + flags.event +
                   "\" (it may need a vendor_config setting: callhook vendors " + info.name + ")");
}

}  // namespace callhook::cli
