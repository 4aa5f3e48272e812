#include "serve/run_verify.hpp"

#include "report/expectations.hpp"
#include "report/journal_report.hpp"
#include "report/json_report.hpp"
#include "scenario/load.hpp"
#include "serve/run_request.hpp"

namespace callhook::serve {

std::optional<nlohmann::ordered_json> verify_run(const std::string& journal_path, std::string_view body,
                                                 util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"expect"});
  root["expect"].require();
  const scenario::Expectations expect = scenario::read_expectations(root["expect"]);
  if (!problems.empty()) return std::nullopt;
  const report::JournalReport rebuilt = report::read_journal_report(journal_path);
  const auto results = report::check_expectations(expect, rebuilt.stats);
  nlohmann::ordered_json out = {{"met", report::all_met(results)}};
  report::add_expectations(out, results);
  return out;
}

}  // namespace callhook::serve
