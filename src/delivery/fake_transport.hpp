#pragma once
// A scripted Transport on a ManualClock for unit tests of the engine: each
// request is answered by a responder at submit time, and completes after
// the reply's latency in virtual time. poll() with a wait moves the clock.
// Headers are recorded (when asked) as the request carries them.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "delivery/transport.hpp"
#include "util/clock.hpp"

namespace callhook::delivery {

struct FakeReply {
  int status = 200;
  std::string body;
  std::string retry_after;
  ErrorKind error = ErrorKind::None;  // not None: a transport failure, status ignored
  std::int64_t latency_us = 1000;
  int lost_tries = 0;  // tries lost on a stale keep-alive connection before this reply (HttpResult::lost)
};

using Responder = std::function<FakeReply(const HttpRequest&)>;

class FakeTransport final : public Transport {
 public:
  FakeTransport(util::ManualClock& clock, Responder responder);

  // Records the request and asks the responder for its reply.
  void submit(HttpRequest request) override;
  // Returns results due by now (by completion time, then submit order); when
  // none are and wait_us > 0, first advances the clock to the earlier of
  // now + wait_us and the next completion.
  void poll(std::vector<HttpResult>& done, std::int64_t wait_us) override;
  std::size_t in_flight() const override { return m_pending.size(); }

  // Every request submitted so far, in order.
  const std::vector<HttpRequest>& requests() const { return m_requests; }
  // Clock time of each submit, parallel to requests().
  const std::vector<std::int64_t>& submit_times() const { return m_submit_times; }

 private:
  struct Pending {
    std::int64_t done_at = 0;
    std::uint64_t order = 0;
    HttpResult result;
  };

  void collect(std::vector<HttpResult>& done);

  util::ManualClock& m_clock;
  Responder m_responder;
  std::vector<HttpRequest> m_requests;
  std::vector<std::int64_t> m_submit_times;
  std::vector<Pending> m_pending;
  std::uint64_t m_order = 0;
};

}  // namespace callhook::delivery
