#pragma once
// The words and records an item's attempts and its end leave behind: the
// journal's AttemptRecord and FinalRecord, and why a delivery failed.
#include <string>

#include "delivery/retry.hpp"
#include "engine/slots.hpp"
#include "journal/journal.hpp"
#include "report/run_stats.hpp"

namespace callhook::engine {

// The attempt that just ended, with the headers exactly as the transport
// wrote them. `resent`: a try lost on a stale keep-alive connection, which
// the transport sent again (it spends no retry). The answer's sent_headers
// are moved into the record, not copied (they are written once, here).
// `rejected`: a 4xx to a delivery a correct receiver must refuse (verdict "rejected").
journal::AttemptRecord attempt_record(const Item& item, delivery::HttpResult& answer, delivery::Verdict verdict,
                                      bool will_retry, util::MonoUs wall_start, bool resent = false,
                                      bool rejected = false);

// The delivery's end.
journal::FinalRecord final_record(const Item& item, report::Final result, const std::string& reason);

// "status 503 after 3 attempts", "timeout (…) after 1 attempt", ...
std::string failure_reason(const delivery::HttpResult& answer, delivery::Verdict verdict, int attempts);

// Whether an answer refuses the delivery: a 4xx status.
bool is_refusal(const delivery::HttpResult& answer);

// "refused as expected: status 401 after 1 attempt".
std::string refusal_reason(const delivery::HttpResult& answer, int attempts);

// "accepted_bad_signature: status 200 to a delivery with a bad signature, which a correct receiver refuses".
std::string accepted_message(report::MustRefuse refuse, int status);

}  // namespace callhook::engine
