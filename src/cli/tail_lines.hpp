#pragma once
// One human line per journal record, for `callhook tail`: an attempt (time
// since the run began, call, event, attempt number, status or error,
// latency, verdict), a delivery's final outcome, a finding, the run's
// header and end.
#include <string>
#include <string_view>

namespace callhook::cli {

// The line for one journal record (a line of the journal, or the data of an
// `attempt`, `delivery` or `finding` event of GET /runs/{id}/events); "" for
// a record of no kind tail shows (probes). Throws UsageError naming
// `source` when the text is not a JSON object.
std::string tail_line(std::string_view record, const std::string& source);

}  // namespace callhook::cli
