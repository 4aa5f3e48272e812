#pragma once
// POST /runs/{id}/replay: an ended run's requests sent again as a new run,
// as `callhook replay` sends a journal's (each recorded request once, each
// call's in its recorded order, paced as recorded unless `speed` says
// otherwise), but with a run's journal, report and events: the journal is
// imported as a scenario (import/: one raw step per request at its recorded
// virtual time) and started like a POST /runs body.
#include <optional>
#include <string>
#include <string_view>

#include "util/json_cursor.hpp"

namespace callhook::serve {

// What the replayed run recorded of itself (its JSON report's run block).
struct Recorded {
  std::string origin;               // where its first stream sent ("scheme://host:port"); "" when unknown
  std::optional<util::Json> speed;  // its speed, "max" or a number
};

// The POST /runs body that replays the journal at `journal_path`: the
// replay body's own fields (target, speed, only, delivery) are checked
// here at their pointers, the rest (connections, insecure, grace_ms,
// max_duration_s, label, id_prefix) go on to parse_run_request. nullopt
// with the problems; throws import::ImportError for a journal without a
// request to send.
std::optional<std::string> replay_run_body(const std::string& journal_path, const std::string& source_id,
                                           const Recorded& recorded, std::string_view body, util::Problems& problems);

}  // namespace callhook::serve
