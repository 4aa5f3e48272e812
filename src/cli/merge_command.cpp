// callhook merge: the shards of one run joined into the whole run: their
// JSON reports into one report (JSON, text, JUnit, HTML), their journals
// into one journal.
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "journal/merge.hpp"
#include "journal/reader.hpp"
#include "report/html_report.hpp"
#include "report/journal_report.hpp"
#include "report/json_report.hpp"
#include "report/junit.hpp"
#include "report/merge_reports.hpp"
#include "report/summary.hpp"
#include "run/bad_input.hpp"
#include "run/output_file.hpp"
#include "util/json_limits.hpp"

namespace callhook::cli {
namespace {

const Help k_help{"merge",
                  "callhook merge REPORT.json... [--json FILE|-] [--junit FILE|-] [--html FILE] [--quiet]\n"
                  "       callhook merge --journal OUT JOURNAL... [REPORT.json...]",
                  "Joins the outputs of a sharded run (run --shard I/N) into those of the whole run. JSON reports\n"
                  "(run --report) become one report: totals add, latency histograms merge bucket by bucket,\n"
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
  std::string journal_out, json_out, junit_out, html_out;
  std::vector<std::string> inputs;
  bool quiet = false;
  po::options_description options("options");
  options.add_options()("journal", po::value(&journal_out)->value_name("OUT"), "write the merged journal to OUT")(
      "json", po::value(&json_out)->value_name("FILE|-"), "write the merged JSON report")(
      "junit", po::value(&junit_out)->value_name("FILE|-"), "write a JUnit XML report of the merged run")(
      "html", po::value(&html_out)->value_name("FILE"), "write the merged HTML report")(
      "quiet,q", po::bool_switch(&quiet), "print no summary")("inputs", po::value(&inputs)->value_name("FILE"),
                                                              "the shards' reports and journals");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_help)) return k_exit_ok;
  if (inputs.empty()) throw UsageError("merge: name the shards' reports or journals");
  if (json_out == "-" && junit_out == "-")
    throw UsageError("only one of --json and --junit can be - (standard output)");
  if (html_out == "-") throw UsageError("--html: expected a file name (the page is written whole)");
  if (dry_run()) return k_exit_ok;

  std::vector<std::string> journals, reports;
  for (const std::string& path : inputs) (is_journal(path) ? journals : reports).push_back(path);
  if (!journals.empty() && journal_out.empty())
    throw UsageError("merge: " + journals.front() + " is a journal: name the merged journal with --journal OUT");
  if (journals.empty() && !journal_out.empty()) throw UsageError("merge: --journal needs the shards' journals");
  if (reports.empty() && !(json_out.empty() && junit_out.empty() && html_out.empty()))
    throw UsageError("merge: --json, --junit and --html need the shards' JSON reports");
  std::optional<run::OutputFile> json_file, junit_file, html_file;
  try {
    json_file.emplace(json_out, "--json");
    junit_file.emplace(junit_out, "--junit");
    html_file.emplace(html_out, "--html");
  } catch (const run::BadInput& e) {
    throw UsageError(e.what());
  }

  try {
    if (!journals.empty()) merge_journal_files(journals, journal_out);
    if (reports.empty()) return k_exit_ok;

    std::vector<report::ReadReport> parts;
    for (const std::string& path : reports) parts.push_back(report::ReportReader::read_file(path));
    report::MergedReport merged = report::merge_reports(std::move(parts), reports);
    report::RunInfo& info = merged.info;
    // The whole run's exit code, decided as `run` decides its own.
    const bool met = report::all_met(merged.expectations);
    info.exit_code = !merged.stats.totals().accounted() ? k_exit_cannot_run
                     : info.interrupted                 ? merged.interrupted_exit_code
                     : met                              ? k_exit_ok
                                                        : k_exit_expectations;
    for (const std::string* path : {&json_out, &junit_out, &html_out, &journal_out})
      if (!path->empty()) info.outputs.push_back(*path);
    const auto json = report::to_json(merged.stats, info, merged.expectations);
    if (*json_file) json_file->write(json.dump(2) + "\n");
    if (*junit_file) {
      std::ostringstream junit;
      report::write_junit(merged.stats, info, junit, merged.expectations);
      junit_file->write(junit.str());
    }
    if (*html_file) {
      // The per-call timeline comes from the merged journal, when there is one.
      report::Timeline timeline;
      if (!journal_out.empty()) timeline = report::read_journal_report(journal_out).timeline;
      std::ostringstream html;
      report::write_html(html, json, timeline);
      html_file->write(html.str());
    }
    const bool stdout_taken = json_out == "-" || junit_out == "-";
    if (!quiet)
      report::print_text(merged.stats, info, merged.expectations, stdout_taken ? std::cerr : std::cout, false);
    return info.exit_code;
  } catch (const journal::JournalError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
  } catch (const report::ReportError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
  }
  return k_exit_bad_input;
}

}  // namespace callhook::cli
