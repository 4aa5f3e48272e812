#include "run/merged_report.hpp"

#include "run/exit_codes.hpp"

namespace callhook::run {

report::MergedReport merge_shard_reports(std::vector<report::ReadReport> parts,
                                         const std::vector<std::string>& sources) {
  report::MergedReport merged = report::merge_reports(std::move(parts), sources);
  report::RunInfo& info = merged.info;
  info.exit_code = run_exit_code(merged.stats.totals().accounted(), info.interrupted, merged.interrupted_exit_code,
                                 report::all_met(merged.expectations));
  return merged;
}

}  // namespace callhook::run
