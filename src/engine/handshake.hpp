#pragma once
// Handshakes: a blocking delivery's final result goes back to its session,
// which parses the answer strictly and returns the call's next batch.
#include <vector>

#include "delivery/transport.hpp"
#include "report/run_stats.hpp"
#include "vendors/vendor.hpp"

namespace callhook::journal {
class JournalWriter;
}

namespace callhook::engine {

// The session's view of how its blocking delivery ended; `last` is the
// final attempt's result, nullptr when it was never sent (dropped).
vendors::Answer answer_of(bool delivered, const delivery::HttpResult* last);

// Resumes the session with the answer and returns its next batch; what the
// session found wrong with the answer goes to the report and the journal.
std::vector<vendors::Delivery> resume_session(vendors::Session& session, const vendors::Delivery& blocking,
                                              const vendors::Answer& answer, report::RunStats& stats,
                                              journal::JournalWriter* journal);

}  // namespace callhook::engine
