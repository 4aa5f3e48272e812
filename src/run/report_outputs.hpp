#pragma once
// Every format of a run's report, however the numbers were had (a run, a
// journal read back, shards' reports merged, a run of `callhook serve`):
// the text summary, JSON, JUnit and HTML rendered from the same data, and
// the report files written through OutputFile (whole or not at all).
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/expectations.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"
#include "report/timeline.hpp"
#include "run/output_file.hpp"

namespace callhook::run {

// The flag that writes the JSON report, in every command; --report is its
// alias (the name `run` first had).
constexpr const char* k_json_flag = "--json";

// One run's reports. Holds references: the stats, info and expectations
// must outlive it.
class ReportSet {
 public:
  ReportSet(const report::RunStats& stats, const report::RunInfo& info,
            const std::vector<report::ExpectationResult>& expectations);

  const nlohmann::ordered_json& json() const { return m_json; }
  std::string json_text() const;
  std::string junit() const;
  std::string html(const report::Timeline& timeline) const;
  void print_text(std::ostream& out, bool color) const;
  std::string text() const;  // the summary without colour

 private:
  const report::RunStats* m_stats;
  const report::RunInfo* m_info;
  const std::vector<report::ExpectationResult>* m_expectations;
  nlohmann::ordered_json m_json;
};

// The report files asked for: "" = none, "-" = standard output (not HTML).
struct ReportPaths {
  std::string json, junit, html;
  std::string json_flag = k_json_flag;  // as given (--json or --report), for messages
};

class ReportOutputs {
 public:
  // Checks every path before any work, so a bad one fails fast; throws
  // BadInput naming the flag (--json, --junit, --html) otherwise, and when
  // more than one is "-" or the HTML report is.
  explicit ReportOutputs(ReportPaths paths);

  const ReportPaths& paths() const { return m_paths; }
  bool wants_html() const { return static_cast<bool>(m_html); }
  // Whether a report goes to standard output (the summary then goes to
  // standard error).
  bool takes_stdout() const;
  // Adds the files written to `outputs` (RunInfo::outputs).
  void list(std::vector<std::string>& outputs) const;
  // Writes each report asked for. `timeline` is called only for HTML.
  void write(const ReportSet& reports, const std::function<report::Timeline()>& timeline) const;

 private:
  ReportPaths m_paths;
  OutputFile m_json, m_junit, m_html;
};

}  // namespace callhook::run
