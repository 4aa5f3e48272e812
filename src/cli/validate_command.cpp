// callhook validate: every problem of a scenario at once, nothing sent.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/run_shape.hpp"
#include "cli/scenario_input.hpp"
#include "engine/plan.hpp"

namespace callhook::cli {

int command_validate(const std::vector<std::string>& args) {
  const Help help{"validate", "callhook validate SCENARIO|-",
                  "Checks a scenario (types, unknown keys, vendor settings, script) and prints every problem\n"
                  "with the file and the JSON pointer of the field; - reads standard input. Warns when the run\n"
                  "would take more than an hour of wall time. Exit 0 when valid, 2 otherwise.",
                  "  callhook validate scenarios/faults-duplicates.json\n"
                  "  cat scenarios/demo.json | callhook validate -"};
  std::string path;
  po::options_description options("options");
  options.add_options()("scenario", po::value(&path)->value_name("SCENARIO")->required(),
                        "scenario file, - for standard input");
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, help)) return k_exit_ok;

  auto loaded = load_scenario_arg(path);
  if (loaded.problems.empty()) {
    const std::size_t streams = loaded.scenario->streams.size();
    const std::string warning = long_run_warning(*loaded.scenario);
    auto plan = engine::make_plan(std::move(*loaded.scenario), "", "http://127.0.0.1:9/",
                                  "http://127.0.0.1:9/recordings", loaded.problems);
    if (plan) {
      std::cout << loaded.source << ": ok (" << streams << (streams == 1 ? " stream" : " streams");
      if (!plan->script.empty()) std::cout << ", " << plan->script.size() << " scripted deliveries";
      std::cout << ")\n";
      if (!warning.empty()) std::cerr << warning << "\n";
      return k_exit_ok;
    }
  }
  std::cerr << loaded.problems.format(loaded.source);
  std::cerr << loaded.problems.size() << (loaded.problems.size() == 1 ? " problem\n" : " problems\n");
  return k_exit_bad_input;
}

}  // namespace callhook::cli
