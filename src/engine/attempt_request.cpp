#include "engine/attempt_request.hpp"

#include <algorithm>
#include <string_view>

#include "delivery/signing.hpp"
#include "util/text.hpp"

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
  attempt_headers(h, d, signing, signature_time_s, probe);
  return h;
}

void attempt_headers(util::Headers& h, const vendors::Delivery& d, const scenario::Signing& signing,
                     std::int64_t signature_time_s, bool probe) {
  std::size_t n = 0;
  const auto put = [&](std::string_view name, std::string_view value) {
    if (n == h.size()) h.emplace_back();
    h[n].name.assign(name);  // assign, not construct: the string keeps its storage
    h[n].value.assign(value);
    ++n;
  };
  if (!d.content_type.empty()) put("Content-Type", d.content_type);
  // An imported request keeps the sender's own User-Agent.
  const bool own_agent = std::any_of(d.headers.begin(), d.headers.end(), [](const util::Header& header) {
    return util::iequals(header.name, "User-Agent");
  });
  if (!own_agent) put("User-Agent", "callhook/0.1");
  for (const auto& header : d.headers) put(header.name, header.value);
  h.resize(n);
  if (!probe && signing.scheme != "none")
    delivery::sign(h, signing, d.event_id, signature_time_s, d.body, d.bad_signature);
}

std::int64_t answer_timeout_ms(const EventSettings& settings) {
  return settings.timeout_ms + std::min<std::int64_t>(settings.timeout_ms / 2, 5000);
}

}  // namespace callhook::engine
