#pragma once
// Shared pieces of the subcommands' flag handling: one help layout, one
// error form ("--flag: expected ..., got ..."), did-you-mean for flags.
#include <cstdint>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "run/report_outputs.hpp"

namespace callhook::cli {

namespace po = boost::program_options;

// What `callhook CMD --help` prints: the synopsis (every option), what the
// command does, the options table, then examples.
struct Help {
  std::string command;   // "run"
  std::string synopsis;  // "callhook run SCENARIO [--target URL] ..."
  std::string description;
  std::string examples;  // one example per line, "" = none
};

// Parses args against the options (and positionals); turns Boost's errors
// into UsageError naming the flag (with a did-you-mean for unknown flags).
// Returns true when --help was asked for (help printed on stdout).
bool parse_args(const std::vector<std::string>& args, const po::options_description& options,
                const po::positional_options_description& positional, po::variables_map& vm, const Help& help);

// The full help text of a command.
std::string help_text(const Help& help, const po::options_description& options);

// "max" -> 0; a positive number -> itself; anything else -> UsageError.
double parse_speed(const std::string& text);
// 0 ... 2^64-1, as scenarios accept; anything else -> UsageError naming flag.
std::uint64_t parse_seed(const std::string& flag, const std::string& text);
// An integer within [min, max]; anything else -> UsageError naming flag.
std::int64_t parse_integer(const std::string& flag, const std::string& text, std::int64_t min, std::int64_t max);
// A positive number; anything else -> UsageError naming flag.
double parse_positive(const std::string& flag, const std::string& text);

// --json FILE, the JSON report in every command that writes reports, and
// --report FILE, its alias (shown as one in --help).
struct JsonReportFlag {
  std::string json, alias;
  void add_options(po::options_description& options, const char* value_name);
  // The path given; UsageError when both flags name different files.
  std::string path() const;
  // The flag given, for messages: --report when only the alias was.
  std::string flag() const { return json.empty() && !alias.empty() ? "--report" : "--json"; }
  // The report files, the JSON one from this flag, checked before any work
  // (UsageError naming the flag).
  run::ReportOutputs outputs(run::ReportPaths paths) const;
};

// The one wording for an output that cannot be opened:
// "--report: cannot write out/report.json: No such file or directory".
std::string cannot_write(const std::string& flag, const std::string& path, int error);

}  // namespace callhook::cli
