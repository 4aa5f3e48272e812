#include "cli/options.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <iostream>
#include <limits>
#include <sstream>

#include "cli/cli.hpp"
#include "run/bad_input.hpp"
#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"

namespace callhook::cli {
namespace {

// Every long option name of a description, with its dashes.
std::vector<std::string> flag_names(const po::options_description& options) {
  std::vector<std::string> names;
  for (const auto& option : options.options()) {
    const std::string name = option->long_name();
    if (!name.empty()) names.push_back("--" + name);
  }
  return names;
}

std::string with_dashes(const std::string& name) {
  if (name.empty() || name.front() == '-') return name;
  return (name.size() == 1 ? "-" : "--") + name;
}

// Boost's messages name the option in quotes; ours start with the flag.
std::string explain(const po::error& e, const po::options_description& options) {
  if (const auto* unknown = dynamic_cast<const po::unknown_option*>(&e)) {
    const std::string flag = unknown->get_option_name();
    const std::string guess = util::did_you_mean(flag, flag_names(options));
    return "unknown flag " + flag + (guess.empty() ? "" : " (did you mean " + guess + "?)");
  }
  if (const auto* positional = dynamic_cast<const po::too_many_positional_options_error*>(&e)) {
    (void)positional;
    return "too many arguments (flags start with --)";
  }
  if (const auto* missing = dynamic_cast<const po::required_option*>(&e)) {
    std::string name = missing->get_option_name();
    if (name.rfind("--", 0) == 0) name = name.substr(2);
    const auto* option = options.find_nothrow(name, false);
    std::string upper = name;
    for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return "missing " + upper + (option ? " (" + option->description() + ")" : "");
  }
  if (const auto* with_name = dynamic_cast<const po::error_with_option_name*>(&e)) {
    const std::string flag = with_dashes(with_name->get_option_name());
    if (dynamic_cast<const po::invalid_command_line_syntax*>(&e))
      return flag + ": " +
             (std::string(e.what()).find("missing") != std::string::npos ? "expects a value" : std::string(e.what()));
    if (dynamic_cast<const po::multiple_occurrences*>(&e)) return flag + ": given more than once";
    if (dynamic_cast<const po::invalid_option_value*>(&e)) return flag + ": " + e.what();
  }
  return e.what();
}

template <typename T>
bool parse_whole(const std::string& text, T& value) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  return ec == std::errc() && ptr == end && !text.empty();
}

}  // namespace

std::string help_text(const Help& help, const po::options_description& options) {
  std::string text = "usage: " + help.synopsis + "\n\n" + help.description + "\n\n";
  std::ostringstream table;
  table << options;
  text += table.str();
  if (!help.examples.empty()) text += "\nexamples:\n" + help.examples + "\n";
  return text;
}

bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm, const Help& help) {
  po::options_description all(options);
  all.add_options()("help,h", "show this help");
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help")) {
      std::cout << help_text(help, all);
      return true;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw UsageError(explain(e, all) + "\nusage: " + help.synopsis + "\n(callhook " + help.command +
                     " --help shows every option and examples)");
  }
  return false;
}

double parse_speed(const std::string& text) {
  if (text == "max") return 0;
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v >= scenario::k_min_speed && v <= scenario::k_max_speed) return v;
  } catch (const std::exception&) {
  }
  throw UsageError(std::string("--speed: expected ") + scenario::k_speed_range_text + ", got \"" + text + "\"");
}

std::uint64_t parse_seed(const std::string& flag, const std::string& text) {
  std::uint64_t value = 0;
  if (!parse_whole(text, value))
    throw UsageError(flag + ": expected an integer from 0 to " +
                     std::to_string(std::numeric_limits<std::uint64_t>::max()) + ", got \"" + text + "\"");
  return value;
}

std::int64_t parse_integer(const std::string& flag, const std::string& text, std::int64_t min, std::int64_t max) {
  std::int64_t value = 0;
  if (!parse_whole(text, value) || value < min || value > max)
    throw UsageError(flag + ": expected an integer from " + std::to_string(min) + " to " + std::to_string(max) +
                     ", got \"" + text + "\"");
  return value;
}

double parse_positive(const std::string& flag, const std::string& text) {
  try {
    std::size_t used = 0;
    const double v = std::stod(text, &used);
    if (used == text.size() && v > 0) return v;
  } catch (const std::exception&) {
  }
  throw UsageError(flag + ": expected a positive number, got \"" + text + "\"");
}

std::string cannot_write(const std::string& flag, const std::string& path, int error) {
  return flag + ": cannot write " + path + ": " + std::strerror(error);
}

void JsonReportFlag::add_options(po::options_description& options, const char* value_name) {
  options.add_options()("json", po::value(&json)->value_name(value_name), "write the JSON report")(
      "report", po::value(&alias)->value_name(value_name), "alias of --json");
}

std::string JsonReportFlag::path() const {
  if (!json.empty() && !alias.empty() && json != alias)
    throw UsageError("--json and --report are the same flag: give one of them");
  return json.empty() ? alias : json;
}

run::ReportOutputs JsonReportFlag::outputs(run::ReportPaths paths) const {
  paths.json = path();
  paths.json_flag = flag();
  try {
    return run::ReportOutputs(std::move(paths));
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }
}

}  // namespace callhook::cli
