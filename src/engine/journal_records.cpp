#include "engine/journal_records.hpp"

#include <utility>

namespace callhook::engine {

journal::AttemptRecord attempt_record(const Item& item, delivery::HttpResult& answer, delivery::Verdict verdict,
                                      bool will_retry, util::MonoUs wall_start, bool resent, bool rejected) {
  journal::AttemptRecord rec;
  rec.delivery = item.key;
  rec.attempt = item.attempts;
  rec.stream = item.stream;
  rec.call = item.d.call_id;
  rec.event = item.d.event;
  rec.copy = item.d.copy;
  rec.method = item.d.method;
  rec.url = item.d.url;
  rec.headers = std::move(answer.sent_headers);
  rec.body = item.d.body;
  rec.planned_ms = item.d.planned_ms;
  rec.due_ms = item.due_ms;
  rec.status = answer.status;
  rec.error = answer.error == delivery::ErrorKind::None ? "" : delivery::error_name(answer.error);
  rec.verdict = rejected                                  ? "rejected"
                : verdict == delivery::Verdict::Delivered ? "delivered"
                : verdict == delivery::Verdict::TooSlow   ? "too_slow"
                                                          : "failed";
  rec.will_retry = will_retry;
  rec.resent = resent;
  rec.retry_after_clamped_ms = item.retry_after_clamped_ms;
  rec.faults = item.d.faults;
  rec.wall_offset_us = answer.started_us - wall_start;
  rec.wall_latency_us = answer.latency_us;
  rec.response = answer.body;
  return rec;
}

journal::FinalRecord final_record(const Item& item, report::Final result, const std::string& reason) {
  journal::FinalRecord rec;
  rec.delivery = item.key;
  rec.stream = item.stream;
  rec.call = item.d.call_id;
  rec.event = item.d.event;
  rec.copy = item.d.copy;
  rec.seq = item.d.seq;
  rec.result = report::final_name(result);
  rec.attempts = item.attempts;
  rec.planned_ms = item.d.planned_ms;
  rec.faults = item.d.faults;
  rec.reason = reason;
  return rec;
}

std::string failure_reason(const delivery::HttpResult& answer, delivery::Verdict verdict, int attempts) {
  std::string what;
  if (verdict == delivery::Verdict::TooSlow)
    what = "answered " + std::to_string(answer.status) + " after " + std::to_string(answer.latency_us / 1000) +
           " ms, past the vendor's timeout";
  else if (answer.error != delivery::ErrorKind::None)
    what = std::string(delivery::error_name(answer.error)) +
           (answer.error_text.empty() ? "" : " (" + answer.error_text + ")");
  else
    what = "status " + std::to_string(answer.status);
  return what + " after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
}

bool is_refusal(const delivery::HttpResult& answer) {
  return answer.error == delivery::ErrorKind::None && answer.status >= 400 && answer.status < 500;
}

std::string refusal_reason(const delivery::HttpResult& answer, int attempts) {
  return "refused as expected: status " + std::to_string(answer.status) + " after " + std::to_string(attempts) +
         (attempts == 1 ? " attempt" : " attempts");
}

std::string accepted_message(report::MustRefuse refuse, int status) {
  const bool signature = refuse == report::MustRefuse::BadSignature;
  return std::string(signature ? "accepted_bad_signature" : "accepted_stale_timestamp") + ": status " +
         std::to_string(status) + " to a delivery with " + (signature ? "a bad signature" : "a stale timestamp") +
         ", which a correct receiver refuses";
}

}  // namespace callhook::engine
