#pragma once
// A run's report rebuilt from its journal: the same RunStats the run fed
// live, and the per-call timeline of the HTML report. `callhook report`
// and `callhook run --html` both build their timeline here.
#include <cstddef>
#include <string>

#include "report/run_info.hpp"
#include "report/run_stats.hpp"
#include "report/timeline.hpp"
#include "scenario/scenario.hpp"

namespace callhook::report {

struct TimelineOptions {
  // Together about 1,200 calls of four deliveries: some 3 MB of page.
  std::size_t max_anomalous_calls = 1000;  // anomalous calls shown in full
  std::size_t sample_calls = 200;          // calls without anomalies, a seeded sample
};

struct JournalReport {
  RunStats stats;
  RunInfo info;  // scenario, seed, speed, started_at, duration, targets, interrupted
  Timeline timeline;
  scenario::Expectations expect;  // the run's "expect" limits, from the journal's header
  bool cut = false;               // the journal ends in a partial line or without its end record
};

// Reads the journal twice at most: once for the numbers, then only the
// records of the calls the timeline shows. A journal cut by an interrupt
// (partial last line, no end record) gives a report marked interrupted;
// any other bad line throws journal::JournalError naming the file and line.
JournalReport read_journal_report(const std::string& path, const TimelineOptions& options = {},
                                  RunStats::Options stats_options = {});

}  // namespace callhook::report
