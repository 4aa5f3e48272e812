#include "engine/attempt_request.hpp"

#include <algorithm>

#include "delivery/signing.hpp"

namespace callhook::engine {

std::int64_t signature_time_s(const scenario::Signing& signing, std::int64_t due_ms, std::int64_t wall_unix_ms,
                              std::int64_t stale_by_ms) {
  const std::int64_t ms = (signing.timestamp == "virtual" ? due_ms : wall_unix_ms) - stale_by_ms;
  return ms / 1000;
}

util::Headers attempt_headers(const vendors::Delivery& d, const scenario::Signing& signing,
                              std::int64_t signature_time_s, bool probe) {
  util::Headers h;
  h.reserve(2 + d.headers.size() + 3);  // room for a signature's headers: one allocation
  if (!d.content_type.empty()) h.push_back({"Content-Type", d.content_type});
  h.push_back({"User-Agent", "callhook/0.1"});
  h.insert(h.end(), d.headers.begin(), d.headers.end());
  if (!probe && signing.scheme != "none")
    delivery::sign(h, signing, d.event_id, signature_time_s, d.body, d.bad_signature);
  return h;
}

std::int64_t answer_timeout_ms(const EventSettings& settings) {
  return settings.timeout_ms + std::min<std::int64_t>(settings.timeout_ms / 2, 5000);
}

}  // namespace callhook::engine
