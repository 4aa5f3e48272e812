#include "engine/attempt_headers.hpp"

#include "delivery/signing.hpp"

namespace callhook::engine {

util::Headers attempt_headers(const vendors::Delivery& delivery, const EventSettings& settings,
                              std::int64_t signature_time_s, bool sign) {
  util::Headers h;
  if (!delivery.content_type.empty()) h.push_back({"Content-Type", delivery.content_type});
  h.push_back({"User-Agent", "callhook/0.1"});
  h.insert(h.end(), delivery.headers.begin(), delivery.headers.end());
  if (sign && settings.signing.scheme != "none")
    delivery::sign(h, settings.signing, delivery.event_id, signature_time_s, delivery.body, delivery.bad_signature);
  return h;
}

}  // namespace callhook::engine
