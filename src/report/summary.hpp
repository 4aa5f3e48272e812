#pragma once
// The end-of-run report: JSON for machines, a k6-style text summary for people.
#include <iosfwd>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/expectations.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"

namespace callhook::report {

// The JSON report: run, duration_s, totals (integers), accounting, events,
// latency_ms, lateness_ms, throughput, errors, faults, findings, probes and
// an empty expectations array (see add_expectations).
nlohmann::ordered_json to_json(const RunStats& stats, const RunInfo& info);
// The same with the expectations filled in.
nlohmann::ordered_json to_json(const RunStats& stats, const RunInfo& info,
                               const std::vector<ExpectationResult>& expectations);

// Replaces the report's "expectations" with the results.
void add_expectations(nlohmann::ordered_json& report, const std::vector<ExpectationResult>& results);

// The human summary, ending with the accounting line. ANSI colours only when
// `color` (the stream is a terminal).
void print_text(const RunStats& stats, const RunInfo& info, const std::vector<ExpectationResult>& expectations,
                std::ostream& out, bool color = false);
// The same without an expectations block.
void print_text(const RunStats& stats, const RunInfo& info, std::ostream& out);

}  // namespace callhook::report
