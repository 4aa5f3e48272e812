#pragma once
// The JSON reports of a sharded run's shards joined into the whole run's
// report, with the exit code `run` would have given it: `callhook merge`
// and serve's POST /reports/merge.
#include <string>
#include <vector>

#include "report/merge_reports.hpp"

namespace callhook::run {

// report::merge_reports, then info.exit_code decided from the merged
// numbers as `run` decides its own. Throws report::ReportError naming the
// report at fault (sources[i] names parts[i]).
report::MergedReport merge_shard_reports(std::vector<report::ReadReport> parts,
                                         const std::vector<std::string>& sources);

}  // namespace callhook::run
