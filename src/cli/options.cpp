#include "cli/options.hpp"

#include <iostream>

#include "cli/cli.hpp"

namespace callhook::cli {

bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm,
                const std::string& usage) {
  po::options_description all(options);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << usage << "\n\n" << all << "\n";
      return true;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(std::string(e.what()) + "\nusage: " + usage);
  }
  return false;
}

double parse_speed(const std::string& text) {
  if (text == "max") return 0;
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw UsageError("--speed: expected a positive number or \"max\", got \"" + text + "\"");
}

}  // namespace callhook::cli
