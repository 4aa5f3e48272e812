#pragma once
// A JSON report (report/json_report.hpp) read back into the report model, so
// that the reports of the parts of one run (shards) can be merged and written
// again through the same writers (`callhook merge`).
#include <cstdint>
#include <stdexcept>
#include <string>

#include "report/run_info.hpp"
#include "report/run_stats.hpp"
#include "scenario/scenario.hpp"

namespace callhook::report {

// "<file>: <JSON pointer>: <what is wrong>".
class ReportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ReadReport {
  RunStats stats;
  RunInfo info;
  scenario::Expectations expect;   // the expectations' names and limits
  std::int64_t started_at_ms = 0;  // run.started_at, unix ms
};

class ReportReader {
 public:
  // Reads the report file at `path`. Throws ReportError naming the file and
  // the JSON pointer of the first problem (a report of another version, a
  // field missing or of the wrong type, a histogram that does not add up).
  static ReadReport read_file(const std::string& path);
  // The same for a report already in memory; `source` names it in messages.
  static ReadReport read_text(const std::string& text, const std::string& source);
};

}  // namespace callhook::report
