#include "cli/one_event.hpp"

#include <iostream>

#include "cli/cli.hpp"
#include "run/bad_input.hpp"

namespace callhook::cli {

void EventFlags::add_options(po::options_description& options) {
  options.add_options()("seed", po::value(&seed_text)->value_name("N"), "seed of the synthetic call (default 1)")(
      "set", po::value(&sets)->value_name("POINTER=VALUE"), "change a payload field (repeatable)")(
      "add", po::value(&adds)->value_name("POINTER=VALUE"), "add a payload field (repeatable)")(
      "platform", po::value(&platform)->value_name("P"), "calls.platform value (callhook vendors VENDOR lists them)")(
      "direction", po::value(&direction)->value_name("inbound|outbound"), "call direction (default inbound)")(
      "config", po::value(&config_text)->value_name("JSON"),
      "vendor_config object (callhook vendors VENDOR lists keys)")("secret", po::value(&secret)->value_name("S"),
                                                                   "signing secret: sign as the vendor signs");
}

run::SampleRequest sample_request(const EventFlags& flags, const std::string& target,
                                  std::optional<std::int64_t> epoch_ms) {
  const std::uint64_t seed = parse_seed("--seed", flags.seed_text);
  const auto [config, config_failure] = util::parse_json(flags.config_text, util::k_flag_json);
  if (config_failure && config_failure->kind != util::JsonFailure::Kind::Syntax)
    throw UsageError("--config: " + run::one_line_problem(*config_failure));
  if (config_failure || !config.is_object())
    throw UsageError("--config: expected a JSON object such as '{\"bot_name\":\"demo\"}', got \"" + flags.config_text +
                     "\"");
  run::SampleRequest request;
  try {
    request.sets = run::parse_field_flags(flags.sets, flags.adds);
  } catch (const run::FieldSetError& e) {
    throw UsageError(e.what());
  }

  if (!vendors::find_vendor(flags.vendor)) {
    std::vector<std::string> names;
    for (const auto& v : vendors::registry()) names.push_back(v.name);
    const std::string guess = util::did_you_mean(flags.vendor, names);
    std::string list;
    for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
    throw UsageError("no vendor \"" + flags.vendor + "\"" +
                     (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") + "; vendors: " + list);
  }
  request.vendor = flags.vendor;
  request.event = flags.event;
  request.seed = seed;
  request.epoch_ms = epoch_ms;
  request.platform = flags.platform;
  request.direction = flags.direction;
  request.vendor_config = config;
  if (!flags.secret.empty()) request.delivery = {{"signing", {{"secret", flags.secret}}}};
  request.target = target;
  if (!flags.recordings_url.empty()) request.recordings_url = flags.recordings_url;
  return request;
}

std::optional<OneEvent> make_one_event(const EventFlags& flags, const std::string& target,
                                       std::optional<std::int64_t> epoch_ms) {
  const run::SampleRequest request = sample_request(flags, target, epoch_ms);
  util::Problems problems;
  std::optional<OneEvent> one;
  try {
    one = run::sample_call(request, problems);
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
  if (!one) {
    std::cerr << problems.format("command line");
    return std::nullopt;
  }
  try {
    run::apply_field_sets(one->delivery, one->plan.streams[0].info->events, request.sets);
  } catch (const run::FieldSetError& e) {
    throw UsageError(e.what());
  }
  return one;
}

}  // namespace callhook::cli
