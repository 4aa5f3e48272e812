#pragma once
// Subcommands. Each takes its arguments (without the program and command
// names) and returns the process exit code.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "run/exit_codes.hpp"

namespace callhook::cli {

// Exit codes (see README).
using run::k_exit_bad_input;
using run::k_exit_cannot_run;
using run::k_exit_expectations;
using run::k_exit_ok;

// Bad flags or arguments: printed as "callhook: error: ..." with exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int command_run(const std::vector<std::string>& args);
int command_validate(const std::vector<std::string>& args);
int command_sink(const std::vector<std::string>& args);
int command_sample(const std::vector<std::string>& args);
int command_vendors(const std::vector<std::string>& args);
int command_replay(const std::vector<std::string>& args);
int command_merge(const std::vector<std::string>& args);
int command_serve(const std::vector<std::string>& args);
int command_report(const std::vector<std::string>& args);
int command_trigger(const std::vector<std::string>& args);
int command_explore(const std::vector<std::string>& args);
int command_tail(const std::vector<std::string>& args);
int command_import(const std::vector<std::string>& args);

// The SystemClock time at which main began, for startup measurements.
std::int64_t process_start_us();

// The whole program: dispatches argv[1] and maps exceptions to exit codes.
int main_entry(int argc, char** argv);

}  // namespace callhook::cli
