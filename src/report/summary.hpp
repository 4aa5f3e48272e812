#pragma once
// The end-of-run text summary for people (k6 style); JSON is in json_report.hpp.
#include <iosfwd>
#include <string>
#include <vector>

#include "report/expectations.hpp"
#include "report/json_report.hpp"
#include "report/run_info.hpp"
#include "report/run_stats.hpp"

namespace callhook::report {

// Receivers that could not be reached, one line each: "connection refused
// at 127.0.0.1:8080: is your receiver running? (3 attempts)", TLS failures
// with their reason. Empty when every attempt connected.
std::vector<std::string> connection_problems(const RunStats& stats, const RunInfo& info);

// The human summary, ending with the accounting line. ANSI colours only when
// `color` (the stream is a terminal).
void print_text(const RunStats& stats, const RunInfo& info, const std::vector<ExpectationResult>& expectations,
                std::ostream& out, bool color = false);
// The same without an expectations block.
void print_text(const RunStats& stats, const RunInfo& info, std::ostream& out);

}  // namespace callhook::report
