#include "run/trigger_event.hpp"

#include "delivery/make_transport.hpp"
#include "engine/attempt_request.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"

namespace callhook::run {

delivery::HttpRequest trigger_request(const SampleCall& call, std::int64_t now_ms) {
  const vendors::Delivery& d = call.delivery;
  delivery::HttpRequest request;
  request.id = 1;
  if (const auto url = util::parse_url(d.url)) request.url = *url;
  request.method = d.method;
  request.headers = call.headers(now_ms);
  if (d.method != "GET") request.body = d.body;
  request.timeout_ms = engine::answer_timeout_ms(call.settings());
  request.connect_timeout_ms = call.settings().connect_timeout_ms;
  return request;
}

TriggerOutcome send_and_judge(SampleCall& call, delivery::HttpRequest request, bool insecure) {
  const util::SystemClock clock;
  delivery::TransportOptions options;
  options.connections_per_origin = 1;
  options.insecure = insecure;
  const auto transport = delivery::make_transport(options, clock);
  transport->submit(std::move(request));
  std::vector<delivery::HttpResult> done;
  while (done.empty()) transport->poll(done, 100'000);

  TriggerOutcome out;
  out.result = std::move(done.front());
  out.timeout_ms = call.settings().timeout_ms;
  out.verdict = delivery::judge(out.result, out.timeout_ms);
  const vendors::Delivery& d = call.delivery;
  out.handshake = d.blocking;
  if (!d.blocking) return out;
  // The vendor reads the handshake answer; what it would reject is a finding.
  vendors::Answer answer;
  answer.delivered = out.verdict == delivery::Verdict::Delivered;
  answer.status = out.result.status;
  answer.body = out.result.body;
  if (out.result.error != delivery::ErrorKind::None)
    answer.error = delivery::error_name(out.result.error);
  else if (out.verdict == delivery::Verdict::TooSlow)
    answer.error = "timeout";
  (void)call.session->resume(d, answer, out.findings);
  return out;
}

const char* verdict_name(delivery::Verdict verdict) {
  switch (verdict) {
    case delivery::Verdict::Delivered: return "delivered";
    case delivery::Verdict::TooSlow: return "too_slow";
    case delivery::Verdict::Failed: return "failed";
  }
  return "failed";
}

}  // namespace callhook::run
