// callhook report: the reports of a recorded run, rebuilt from its journal
// (like vegeta report / plot): the text summary, JSON, JUnit and HTML.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "journal/reader.hpp"
#include "report/journal_report.hpp"
#include "run/report_outputs.hpp"

namespace callhook::cli {
namespace {

const Help k_report_help{
    "report", "callhook report JOURNAL [--html FILE] [--json FILE|-] [--junit FILE|-] [--quiet]",
    "Builds the reports of a recorded run from its journal (written by run --journal): prints the\n"
    "summary, and writes the JSON, JUnit and self-contained HTML reports asked for. A journal cut\n"
    "short by an interrupt still gives reports, marked interrupted.",
    "  callhook report run.jsonl --html report.html\n"
    "  callhook report run.jsonl --json report.json --junit junit.xml --quiet"};

}  // namespace

int command_report(const std::vector<std::string>& args) {
  po::options_description options("options");
  std::string journal_path;
  run::ReportPaths paths;
  JsonReportFlag json;
  bool quiet = false;
  options.add_options()("journal", po::value(&journal_path)->value_name("JOURNAL")->required(), "journal file (JSONL)")(
      "html", po::value(&paths.html)->value_name("FILE"), "write the self-contained HTML report");
  json.add_options(options, "FILE|-");
  options.add_options()("junit", po::value(&paths.junit)->value_name("FILE|-"),
                        "write a JUnit XML report (one test case per call)")("quiet,q", po::bool_switch(&quiet),
                                                                             "print no summary");
  po::positional_options_description positional;
  positional.add("journal", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_report_help)) return k_exit_ok;
  const run::ReportOutputs outputs = json.outputs(paths);

  report::RunStats::Options stats_options;
  stats_options.keep_call_ids = !outputs.paths().junit.empty();
  report::JournalReport built{report::RunStats(stats_options), {}, {}, {}, false};
  try {
    built = report::read_journal_report(journal_path, {}, stats_options);
  } catch (const journal::JournalError& e) {
    throw UsageError(e.what());
  }
  report::RunInfo& info = built.info;
  outputs.list(info.outputs);
  // The run's limits, from the journal's header, judged again on the rebuilt numbers.
  const std::vector<report::ExpectationResult> expectations = report::check_expectations(built.expect, built.stats);
  const run::ReportSet reports(built.stats, info, expectations);
  outputs.write(reports, [&] { return built.timeline; });
  if (!quiet) reports.print_text(outputs.takes_stdout() ? std::cerr : std::cout, false);
  return k_exit_ok;
}

}  // namespace callhook::cli
