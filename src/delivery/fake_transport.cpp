#include "delivery/fake_transport.hpp"

#include <algorithm>
#include <limits>

namespace callhook::delivery {

FakeTransport::FakeTransport(util::ManualClock& clock, Responder responder)
    : m_clock(clock), m_responder(std::move(responder)) {}

void FakeTransport::submit(HttpRequest request) {
  const std::int64_t now = m_clock.now_us();
  FakeReply reply = m_responder(request);
  Pending pending;
  pending.order = m_order++;
  HttpResult& result = pending.result;
  result.id = request.id;
  result.started_us = now;
  for (int i = 0; i < reply.lost_tries; ++i) {
    result.lost.push_back({now, 0, ErrorKind::Closed, "connection closed before any response byte"});
  }
  if (request.record_headers) result.sent_headers = request.headers;
  result.request_body = request.body;  // copies: the request is kept for the test to read
  result.request_headers = request.headers;
  const std::int64_t timeout_us = request.timeout_ms * 1000;
  if (reply.latency_us > timeout_us) {
    // The real transport gives up at the timeout, whatever the server would have said.
    result.error = ErrorKind::Timeout;
    result.error_text = "no complete response within " + std::to_string(request.timeout_ms) + " ms";
    result.latency_us = timeout_us;
  } else {
    result.latency_us = std::max<std::int64_t>(0, reply.latency_us);
    result.error = reply.error;
    if (reply.error == ErrorKind::None) {
      result.status = reply.status;
      result.retry_after = std::move(reply.retry_after);
      result.body = std::move(reply.body);
    } else {
      result.error_text = error_name(reply.error);
    }
  }
  pending.done_at = now + result.latency_us;
  m_pending.push_back(std::move(pending));
  m_requests.push_back(std::move(request));
  m_submit_times.push_back(now);
}

void FakeTransport::poll(std::vector<HttpResult>& done, std::int64_t wait_us) {
  const std::size_t before = done.size();
  collect(done);
  if (done.size() > before || wait_us <= 0) return;
  std::int64_t earliest = std::numeric_limits<std::int64_t>::max();
  for (const auto& pending : m_pending) earliest = std::min(earliest, pending.done_at);
  m_clock.set_us(std::min(m_clock.now_us() + wait_us, earliest));
  collect(done);
}

void FakeTransport::collect(std::vector<HttpResult>& done) {
  const std::int64_t now = m_clock.now_us();
  auto due = std::stable_partition(m_pending.begin(), m_pending.end(),
                                   [now](const Pending& pending) { return pending.done_at > now; });
  std::sort(due, m_pending.end(), [](const Pending& a, const Pending& b) {
    return a.done_at != b.done_at ? a.done_at < b.done_at : a.order < b.order;
  });
  for (auto it = due; it != m_pending.end(); ++it) done.push_back(std::move(it->result));
  m_pending.erase(due, m_pending.end());
}

}  // namespace callhook::delivery
