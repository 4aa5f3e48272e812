#include <iostream>
#include <map>

#include "cli/cli.hpp"
#include "cli/huge_pages.hpp"
#include "report/run_info.hpp"
#include "util/json_cursor.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_usage = R"(callhook: a mock voice vendor for testing webhook receivers

usage: callhook COMMAND [ARGS]   (callhook help COMMAND, or callhook COMMAND --help, for each)

commands:
  run SCENARIO       run a scenario against a receiver (or the built-in sink)
  validate SCENARIO  check a scenario and print every problem
  sink               a webhook receiver with programmable answers
  sample VENDOR EVENT  print one realistic payload (--headers: with its headers)
  trigger VENDOR EVENT send one event to a receiver and show the answer (--call: a whole call)
  vendors [VENDOR]   list the vendors, their events, settings and delivery defaults
  replay JOURNAL     send the requests of a recorded run again (--delivery KEY: one of them)
  tail JOURNAL|URL   follow a run's attempts live, from its journal or a callhook serve run
  report JOURNAL     rebuild a run's reports (text, JSON, JUnit, HTML) from its journal
  merge --journal OUT JOURNAL...  join the journals of a sharded run
  serve              an HTTP API to start and follow runs from test suites
  explore SCENARIO   search the delivery orders that break a receiver, shrink and save them
  import FILE...     captured traffic (sink record, HAR, Svix, JSON lines, journal) as a scenario
  version            print the version (also --version)

exit codes: 0 ok, 1 an expectation failed, 2 bad input, 3 could not run,
            4 stopped at --max-duration, 130/143 interrupted by SIGINT/SIGTERM

examples:
  callhook run scenarios/demo.json                      (the built-in sink receives)
  callhook sink --listen 127.0.0.1:3000                 (in another terminal, then:)
  callhook run scenarios/voiceflow-basic.json --target http://127.0.0.1:3000/hooks)";

constexpr const char* k_version_help = R"(usage: callhook version

Prints the version ("callhook 0.1.0"), as callhook --version does; the JSON
report's "version" is the same.

examples:
  callhook version)";

}  // namespace

namespace {
std::int64_t g_process_start_us = 0;
}

std::int64_t process_start_us() { return g_process_start_us; }

int main_entry(int argc, char** argv) {
  g_process_start_us = first_start_us();
  using Command = int (*)(const std::vector<std::string>&);
  static const std::map<std::string, Command> commands = {
      {"run", command_run},         {"validate", command_validate}, {"sink", command_sink},
      {"sample", command_sample},   {"vendors", command_vendors},   {"replay", command_replay},
      {"report", command_report},   {"merge", command_merge},       {"serve", command_serve},
      {"trigger", command_trigger}, {"explore", command_explore},   {"tail", command_tail},
      {"import", command_import},
  };
  if (argc < 2) {
    std::cerr << k_usage << "\n";
    return k_exit_bad_input;
  }
  std::string name = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (name == "--help" || name == "-h" || (name == "help" && args.empty())) {
    std::cout << k_usage << "\n";
    return k_exit_ok;
  }
  if (name == "help") {  // callhook help CMD = callhook CMD --help
    name = args.front();
    args = {"--help"};
  }
  if (name == "--version" || name == "version") {
    if (!args.empty() && (args.front() == "--help" || args.front() == "-h")) {
      std::cout << k_version_help << "\n";
      return k_exit_ok;
    }
    if (!args.empty()) {
      std::cerr << "callhook version: takes no arguments, got \"" << args.front() << "\"\n";
      return k_exit_bad_input;
    }
    std::cout << "callhook " << report::k_version << "\n";
    return k_exit_ok;
  }
  auto it = commands.find(name);
  if (it == commands.end()) {
    std::vector<std::string> names;
    for (const auto& [n, c] : commands) names.push_back(n);
    const std::string guess = util::did_you_mean(name, names);
    std::cerr << "callhook: error: unknown command \"" << name << "\""
              << (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") << "\n"
              << "(callhook --help lists the commands)\n";
    return k_exit_bad_input;
  }
  try {
    return it->second(args);
  } catch (const UsageError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
    return k_exit_bad_input;
  } catch (const std::exception& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
    return k_exit_cannot_run;
  }
}

}  // namespace callhook::cli
