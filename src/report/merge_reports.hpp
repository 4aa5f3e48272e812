#pragma once
// The JSON reports of a sharded run (run --shard I/N, one report per shard)
// joined into the report of the whole run, for `callhook merge`.
#include <string>
#include <vector>

#include "report/expectations.hpp"
#include "report/report_reader.hpp"

namespace callhook::report {

struct MergedReport {
  RunStats stats;
  RunInfo info;
  std::vector<ExpectationResult> expectations;  // the scenario's, checked against the whole run
  int interrupted_exit_code = 0;                // an interrupted shard's exit code (130, 143), 0 when none was
};

// Every report must be a different shard of one run: the same scenario, seed,
// speed and shard count, every index once. Totals add, histograms merge
// bucket by bucket, per-second series line up on wall time (each shard's
// started_at), lists are concatenated. info.exit_code is left undecided
// (-1): the caller decides it from the merged numbers as `run` does. Throws ReportError
// naming the report at fault (sources[i] names parts[i]).
MergedReport merge_reports(std::vector<ReadReport> parts, const std::vector<std::string>& sources);

}  // namespace callhook::report
