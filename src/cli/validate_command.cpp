// callhook validate: every problem of a scenario at once, nothing sent.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "engine/plan.hpp"
#include "scenario/load.hpp"

namespace callhook::cli {

int command_validate(const std::vector<std::string>& args) {
  constexpr const char* usage =
      "callhook validate SCENARIO\n\nChecks a scenario (types, unknown keys, vendor settings, script) and prints\n"
      "every problem with the file and the JSON pointer of the field. Exit 0 when valid, 2 otherwise.";
  std::string path;
  po::options_description options("options");
  options.add_options()("scenario", po::value(&path)->required(), "scenario file");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, usage)) return k_exit_ok;

  auto loaded = scenario::load_scenario(path, engine::vendor_catalog());
  if (loaded.problems.empty()) {
    const std::size_t streams = loaded.scenario->streams.size();
    auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/",
                                  "http://127.0.0.1:9/recordings", loaded.problems);
    if (plan) {
      std::cout << loaded.source << ": ok (" << streams << (streams == 1 ? " stream" : " streams");
      if (!plan->script.empty()) std::cout << ", " << plan->script.size() << " scripted deliveries";
      std::cout << ")\n";
      return k_exit_ok;
    }
  }
  std::cerr << loaded.problems.format(loaded.source);
  std::cerr << loaded.problems.size() << (loaded.problems.size() == 1 ? " problem\n" : " problems\n");
  return k_exit_bad_input;
}

}  // namespace callhook::cli
