#pragma once
// JUnit XML for CI: each call is a test case that fails when any of its
// deliveries failed, drew a finding, failed a probe or was answered too late.
#include <iosfwd>
#include <vector>

#include "report/expectations.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"

namespace callhook::report {

// One testsuite named after the scenario: a testcase per call (classname =
// scenario name), then "accounting" and one per expectation.
void write_junit(const RunStats& stats, const RunInfo& info, std::ostream& out,
                 const std::vector<ExpectationResult>& expectations = {});

}  // namespace callhook::report
