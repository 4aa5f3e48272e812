#pragma once
// The JSON report: the run's measurements for machines, and the data model
// the HTML report draws (one document, two views).
#include <vector>

#include <nlohmann/json.hpp>

#include "report/expectations.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"

namespace callhook::report {

// version, run (scenario, seed, targets, ordering, started_at, ...),
// exit_code, interrupted, duration_s, totals (integers), accounting, events,
// latency_ms (with histogram buckets), lateness_ms, throughput (per second:
// planned, sent, delivered, retries, errors and faults by kind, latency
// p50/p99), errors, faults, findings, probes and expectations (see
// add_expectations). Statistics of nothing are null, integral values integers.
nlohmann::ordered_json to_json(const RunStats& stats, const RunInfo& info);
// The same with the expectations filled in.
nlohmann::ordered_json to_json(const RunStats& stats, const RunInfo& info,
                               const std::vector<ExpectationResult>& expectations);

// Replaces the report's "expectations" with the results.
void add_expectations(nlohmann::ordered_json& report, const std::vector<ExpectationResult>& results);

}  // namespace callhook::report
