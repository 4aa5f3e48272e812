#pragma once
// POST /trigger: one webhook, built as `callhook sample` builds it (signed
// when the body's "delivery" asks), sent to a target and judged as the
// vendor would judge the answer, by the same code as `callhook trigger`
// (run/trigger_event).
#include <optional>

#include <nlohmann/json.hpp>

#include "util/json_cursor.hpp"

namespace callhook::serve {

// The request sent, the answer and the vendor's verdict, or nullopt with
// problems (pointers into the body) when the body is not valid, a "set"
// names no field of the payload or a pointer is malformed. Throws
// run::BadInput when the vendor has no such event.
std::optional<nlohmann::ordered_json> send_trigger(const util::Json& body, util::Problems& problems);

}  // namespace callhook::serve
