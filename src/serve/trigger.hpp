#pragma once
// POST /trigger: one webhook, built as `callhook sample` builds it (signed
// when the body's "delivery" asks), sent to a target and judged as the
// vendor would judge the answer, by the same code as `callhook trigger`
// (run/trigger_event).
#include <optional>

#include <nlohmann/json.hpp>

#include "serve/run_policy.hpp"
#include "util/json_cursor.hpp"

namespace callhook::serve {

// The most of a receiver's answer body the answer echoes (the transport
// reads at most 64 KiB of it); a longer one is cut there, where a UTF-8
// character begins, and marked ("body_truncated": true).
constexpr std::size_t k_max_echoed_body = 16 * 1024;

// The request sent, the answer and the vendor's verdict, or nullopt with
// problems (pointers into the body) when the body is not valid, a "set"
// names no field of the payload or a pointer is malformed. Throws
// run::BadInput when the vendor has no such event, RequestRefused (403)
// when `targets` refuses the target.
std::optional<nlohmann::ordered_json> send_trigger(const util::Json& body, const TargetPolicy& targets,
                                                   util::Problems& problems);

}  // namespace callhook::serve
