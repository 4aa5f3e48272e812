// callhook sample: one realistic payload, exactly as it would be sent.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/overrides.hpp"
#include "run/run_session.hpp"
#include "run/sample_delivery.hpp"

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

  run::SampleRequest request;
  request.vendor = vendor_name;
  request.event = event;
  request.seed = seed;
  request.platform = platform;
  request.direction = direction;
  const auto [config, config_failure] = util::parse_json(config_text, util::k_flag_json);
  if (config_failure) throw UsageError("--config: " + flag_problem(*config_failure));
  request.vendor_config = config;
  for (const auto& s : sets) {
    const SetFlag flag = parse_set_flag(s);
    request.overrides[flag.pointer] = flag.value;
  }
  util::Problems problems;
  std::optional<run::Sample> sample;
  try {
    sample = run::sample_delivery(request, problems);
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
  if (!sample) {
    std::cerr << problems.format("sample");
    return k_exit_bad_input;
  }
  const auto& d = sample->delivery;
  std::cout << (d.method == "GET" ? d.url : d.body) << "\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
