#include "run/report_outputs.hpp"

#include <sstream>

#include "report/html_report.hpp"
#include "report/json_report.hpp"
#include "report/junit.hpp"
#include "report/summary.hpp"
#include "run/bad_input.hpp"

namespace callhook::run {

ReportSet::ReportSet(const report::RunStats& stats, const report::RunInfo& info,
                     const std::vector<report::ExpectationResult>& expectations)
    : m_stats(&stats),
      m_info(&info),
      m_expectations(&expectations),
      m_json(report::to_json(stats, info, expectations)) {}

std::string ReportSet::json_text() const { return m_json.dump(2) + "\n"; }

std::string ReportSet::junit() const {
  std::ostringstream out;
  report::write_junit(*m_stats, *m_info, out, *m_expectations);
  return out.str();
}

std::string ReportSet::html(const report::Timeline& timeline) const {
  std::ostringstream out;
  report::write_html(out, m_json, timeline);
  return out.str();
}

void ReportSet::print_text(std::ostream& out, bool color) const {
  report::print_text(*m_stats, *m_info, *m_expectations, out, color);
}

std::string ReportSet::text() const {
  std::ostringstream out;
  print_text(out, false);
  return out.str();
}

namespace {

ReportPaths checked(ReportPaths paths) {
  if (paths.json == "-" && paths.junit == "-")
    throw BadInput("only one of " + paths.json_flag + " and --junit can be - (standard output)");
  if (paths.html == "-") throw BadInput("--html: expected a file name (the page is written whole)");
  return paths;
}

}  // namespace

ReportOutputs::ReportOutputs(ReportPaths paths)
    : m_paths(checked(std::move(paths))),
      m_json(m_paths.json, m_paths.json_flag),
      m_junit(m_paths.junit, "--junit"),
      m_html(m_paths.html, "--html") {}

bool ReportOutputs::takes_stdout() const { return m_paths.json == "-" || m_paths.junit == "-"; }

void ReportOutputs::list(std::vector<std::string>& outputs) const {
  for (const std::string* path : {&m_paths.json, &m_paths.junit, &m_paths.html})
    if (!path->empty()) outputs.push_back(*path);
}

void ReportOutputs::write(const ReportSet& reports, const std::function<report::Timeline()>& timeline) const {
  if (m_json) m_json.write(reports.json_text());
  if (m_junit) m_junit.write(reports.junit());
  if (m_html) m_html.write(reports.html(timeline ? timeline() : report::Timeline{}));
}

}  // namespace callhook::run
