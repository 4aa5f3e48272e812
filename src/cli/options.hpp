#pragma once
// Shared pieces of the subcommands' flag handling.
#include <string>
#include <vector>

#include <boost/program_options.hpp>

namespace callhook::cli {

namespace po = boost::program_options;

// Parses args against the options (and positionals); turns Boost's errors
// into UsageError. Returns true when --help was asked for (help printed).
bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm,
                const std::string& usage);

// "max" -> 0; a positive number -> itself; anything else -> UsageError.
double parse_speed(const std::string& text);

}  // namespace callhook::cli
