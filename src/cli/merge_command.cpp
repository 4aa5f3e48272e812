// callhook merge: the shards of one run joined into the whole run: their
// JSON reports into one report (JSON, text, JUnit, HTML), their journals
// into one journal.
#include <fstream>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "journal/merge.hpp"
#include "journal/reader.hpp"
#include "report/journal_report.hpp"
#include "report/merge_reports.hpp"
#include "run/bad_input.hpp"
#include "run/merged_report.hpp"
#include "run/report_outputs.hpp"
#include "util/json_limits.hpp"

namespace callhook::cli {
namespace {

const Help k_merge_help{
    "merge",
    "callhook merge REPORT.json... [--json FILE|-] [--junit FILE|-] [--html FILE] [--quiet]\n"
    "       callhook merge --journal OUT JOURNAL... [REPORT.json...]",
    "Joins the outputs of a sharded run (run --shard I/N) into those of the whole run. JSON reports\n"
    "(run --json) become one report: totals add, latency histograms merge bucket by bucket,\n"
    "per-second series line up on wall time, findings and failing calls are listed together; the\n"
    "summary is printed and --json, --junit and --html write the reports. Journals (run --journal)\n"
    "become one journal in wall-time order (--journal OUT), for replay; the HTML report then has the\n"
    "per-call timeline too. Every shard of the same scenario, seed and shard count must be given\n"
    "exactly once (exit 2 otherwise, naming the file). The exit code is the whole run's: 0, or 1\n"
    "when an expectation is not met over the merged numbers.",
    "  callhook merge shard-0.json shard-1.json shard-2.json --json whole.json\n"
    "  callhook merge --journal whole.jsonl journal-0.jsonl journal-1.jsonl journal-2.jsonl\n"
    "  callhook replay whole.jsonl --speed max"};

// A journal starts with its run record on the first line; a report is one
// JSON document (written indented, so its first line is "{").
bool is_journal(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw UsageError("merge: cannot read \"" + path + "\"");
  std::string first_line;
  std::getline(in, first_line);
  const auto parsed = util::parse_json(first_line, util::k_journal_line_json);
  return parsed.ok() && parsed.value.is_object() && parsed.value.contains("kind");
}

int merge_journal_files(const std::vector<std::string>& journals, const std::string& out_path) {
  const auto summary = journal::merge_journals(journals, out_path);
  std::cerr << "merged " << summary.shards << " shards, " << summary.records << " records into " << out_path << "\n";
  if (!summary.ended)
    std::cerr << "warning: a shard's journal has no end record (its run was cut short); the merged journal has "
                 "none either\n";
  return k_exit_ok;
}

}  // namespace

int command_merge(const std::vector<std::string>& args) {
  std::string journal_out;
  run::ReportPaths paths;
  JsonReportFlag json;
  std::vector<std::string> inputs;
  bool quiet = false;
  po::options_description options("options");
  options.add_options()("journal", po::value(&journal_out)->value_name("OUT"), "write the merged journal to OUT");
  json.add_options(options, "FILE|-");
  options.add_options()("junit", po::value(&paths.junit)->value_name("FILE|-"),
                        "write a JUnit XML report of the merged run")(
      "html", po::value(&paths.html)->value_name("FILE"), "write the merged HTML report")(
      "quiet,q", po::bool_switch(&quiet), "print no summary")("inputs", po::value(&inputs)->value_name("FILE"),
                                                              "the shards' reports and journals");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_merge_help)) return k_exit_ok;
  if (inputs.empty()) throw UsageError("merge: name the shards' reports or journals");
  const run::ReportOutputs outputs = json.outputs(paths);
  if (dry_run()) return k_exit_ok;

  std::vector<std::string> journals, reports;
  for (const std::string& path : inputs) (is_journal(path) ? journals : reports).push_back(path);
  if (!journals.empty() && journal_out.empty())
    throw UsageError("merge: " + journals.front() + " is a journal: name the merged journal with --journal OUT");
  if (journals.empty() && !journal_out.empty()) throw UsageError("merge: --journal needs the shards' journals");
  const run::ReportPaths& asked = outputs.paths();
  if (reports.empty() && !(asked.json.empty() && asked.junit.empty() && asked.html.empty()))
    throw UsageError("merge: --json, --junit and --html need the shards' JSON reports");

  try {
    if (!journals.empty()) merge_journal_files(journals, journal_out);
    if (reports.empty()) return k_exit_ok;

    std::vector<report::ReadReport> parts;
    for (const std::string& path : reports) parts.push_back(report::ReportReader::read_file(path));
    // The whole run's numbers, and its exit code decided as `run` decides its own.
    report::MergedReport merged = run::merge_shard_reports(std::move(parts), reports);
    report::RunInfo& info = merged.info;
    outputs.list(info.outputs);
    if (!journal_out.empty()) info.outputs.push_back(journal_out);
    const run::ReportSet set(merged.stats, info, merged.expectations);
    // The per-call timeline comes from the merged journal, when there is one.
    outputs.write(set, [&] {
      return journal_out.empty() ? report::Timeline{} : report::read_journal_report(journal_out).timeline;
    });
    if (!quiet) set.print_text(outputs.takes_stdout() ? std::cerr : std::cout, false);
    return info.exit_code;
  } catch (const journal::JournalError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
  } catch (const report::ReportError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
  }
  return k_exit_bad_input;
}

}  // namespace callhook::cli
