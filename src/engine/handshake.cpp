#include "engine/handshake.hpp"

#include "journal/journal.hpp"

namespace callhook::engine {

vendors::Answer answer_of(bool delivered, const delivery::HttpResult* last) {
  vendors::Answer answer;
  answer.delivered = delivered;
  if (!last) {
    answer.error = "dropped";
    return answer;
  }
  answer.status = last->status;
  answer.body = last->body;
  answer.error = last->error != delivery::ErrorKind::None ? delivery::error_name(last->error) : "";
  // A 2xx that is not delivered came after the vendor's timeout.
  if (!answer.delivered && answer.error.empty() && last->status / 100 == 2) answer.error = "timeout";
  return answer;
}

std::vector<vendors::Delivery> resume_session(vendors::Session& session, const vendors::Delivery& blocking,
                                              const vendors::Answer& answer, report::RunStats& stats,
                                              journal::JournalWriter* journal) {
  std::vector<vendors::Finding> findings;
  auto next = session.resume(blocking, answer, findings);
  for (auto& finding : findings) {
    if (finding.call_id.empty()) finding.call_id = blocking.call_id;
    if (finding.event.empty()) finding.event = blocking.event;
    stats.on_finding(finding);
    if (journal) journal->finding(finding.call_id, finding.event, finding.message);
  }
  return next;
}

}  // namespace callhook::engine
