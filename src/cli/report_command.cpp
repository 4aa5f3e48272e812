// callhook report: the reports of a recorded run, rebuilt from its journal
// (like vegeta report / plot): the text summary, JSON, JUnit and HTML.
#include <fstream>
#include <functional>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "journal/reader.hpp"
#include "report/html_report.hpp"
#include "report/journal_report.hpp"
#include "report/json_report.hpp"
#include "report/junit.hpp"
#include "report/summary.hpp"

namespace callhook::cli {
namespace {

const Help k_help{"report", "callhook report JOURNAL [--html FILE] [--json FILE] [--junit FILE] [--quiet]",
                  "Builds the reports of a recorded run from its journal (written by run --journal): prints the\n"
                  "summary, and writes the JSON, JUnit and self-contained HTML reports asked for. A journal cut\n"
                  "short by an interrupt still gives reports, marked interrupted.",
                  "  callhook report run.jsonl --html report.html\n"
                  "  callhook report run.jsonl --json report.json --junit junit.xml --quiet"};

void write_file(const std::string& path, const char* flag, const std::function<void(std::ostream&)>& write) {
  std::ofstream out(path);
  if (!out) throw UsageError(std::string(flag) + ": cannot write \"" + path + "\"");
  write(out);
  if (!out.flush()) throw std::runtime_error(std::string(flag) + ": cannot write \"" + path + "\"");
}

}  // namespace

int command_report(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string journal_path, html_path, json_path, junit_path;
  bool quiet = false;
  options.add_options()("journal", po::value(&journal_path)->value_name("JOURNAL")->required(), "journal file (JSONL)")(
      "html", po::value(&html_path)->value_name("FILE"), "write the self-contained HTML report")(
      "json", po::value(&json_path)->value_name("FILE"), "write the JSON report")(
      "junit", po::value(&junit_path)->value_name("FILE"), "write a JUnit XML report (one test case per call)")(
      "quiet,q", po::bool_switch(&quiet), "print no summary");
  po::positional_options_description positional;
  positional.add("journal", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_help)) return k_exit_ok;

  report::RunStats::Options stats_options;
  stats_options.keep_call_ids = !junit_path.empty();
  report::JournalReport built{report::RunStats(stats_options), {}, {}, false};
  try {
    built = report::read_journal_report(journal_path, {}, stats_options);
  } catch (const journal::JournalError& e) {
    throw UsageError(e.what());
  }
  report::RunInfo& info = built.info;
  for (const std::string* path : {&json_path, &junit_path, &html_path})
    if (!path->empty()) info.outputs.push_back(*path);
  const auto json = report::to_json(built.stats, info);
  if (!json_path.empty()) write_file(json_path, "--json", [&](std::ostream& out) { out << json.dump(2) << "\n"; });
  if (!junit_path.empty())
    write_file(junit_path, "--junit", [&](std::ostream& out) { report::write_junit(built.stats, info, out); });
  if (!html_path.empty())
    write_file(html_path, "--html", [&](std::ostream& out) { report::write_html(out, json, built.timeline); });
  if (!quiet) report::print_text(built.stats, info, std::cout);
  return k_exit_ok;
}

}  // namespace callhook::cli
