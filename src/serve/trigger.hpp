#pragma once
// POST /trigger: one webhook, built as `callhook sample` builds it (signed
// when the body's "delivery" asks), sent to a target, with the receiver's
// answer. The one place the server sends a single event; swap it for the
// trigger command's own code where that exists.
#include <optional>

#include <nlohmann/json.hpp>

#include "util/json_cursor.hpp"

namespace callhook::serve {

// The request sent and the answer, or nullopt with problems (pointers into
// the body) when the body is not valid. Throws run::BadInput when the vendor
// has no such event.
std::optional<nlohmann::ordered_json> send_trigger(const util::Json& body, util::Problems& problems);

}  // namespace callhook::serve
