#include "scenario/readers.hpp"
#include "scenario/signing_key.hpp"

namespace callhook::scenario::detail {

namespace {

// Starts from `base` so a per-event policy only changes the keys it names.
RetryPolicy read_retry(const util::Cursor& at, RetryPolicy policy) {
  if (!at.keys({"max_attempts", "backoff_ms", "exponential", "on", "retry_after", "retry_after_max_ms"})) return policy;
  policy.max_attempts = static_cast<int>(at["max_attempts"].integer_or(policy.max_attempts, 1, 100));
  const util::Cursor backoff = at["backoff_ms"];
  const util::Cursor exponential = at["exponential"];
  if (backoff.exists() && exponential.exists()) at.fail("give \"backoff_ms\" or \"exponential\", not both");
  if (non_empty_array(backoff)) {
    policy.backoff_ms.clear();
    for (std::size_t i = 0; i < backoff.size(); ++i)
      if (const auto ms = backoff.at(i).integer(0)) policy.backoff_ms.push_back(*ms);
  }
  if (exponential.keys({"initial_ms", "multiplier", "max_ms", "jitter"})) {
    policy.backoff_ms.clear();
    policy.initial_ms = exponential["initial_ms"].integer_or(policy.initial_ms, 0);
    policy.multiplier = exponential["multiplier"].number_or(policy.multiplier, 1);
    policy.max_ms = exponential["max_ms"].integer_or(policy.max_ms, 0);
    policy.jitter = exponential["jitter"].number_or(policy.jitter, 0, 1);
    if (policy.max_ms < policy.initial_ms)
      exponential.fail("expected max_ms >= initial_ms, got " + std::to_string(policy.max_ms) + " < " +
                       std::to_string(policy.initial_ms));
  }
  const util::Cursor on = at["on"];
  if (on.is_array()) {
    policy.on_5xx = policy.on_429 = policy.on_4xx = policy.on_timeout = policy.on_connect = false;
    for (std::size_t i = 0; i < on.size(); ++i) {
      const auto what = on.at(i).one_of({"5xx", "429", "4xx", "timeout", "connect"});
      if (!what) continue;
      if (*what == "5xx") policy.on_5xx = true;
      if (*what == "429") policy.on_429 = true;
      if (*what == "4xx") policy.on_4xx = true;
      if (*what == "timeout") policy.on_timeout = true;
      if (*what == "connect") policy.on_connect = true;
    }
  }
  policy.honour_retry_after = at["retry_after"].boolean_or(policy.honour_retry_after);
  policy.retry_after_max_ms = at["retry_after_max_ms"].integer_or(policy.retry_after_max_ms, 0);
  return policy;
}

// {"scheme": ..., "secrets": [...]} or {"secret": "..."}; a missing scheme is
// the vendor's own when it has one.
Signing read_signing(const util::Cursor& at, Signing signing, const VendorNames& vendor) {
  if (!at.keys({"scheme", "secrets", "secret", "timestamp"})) return signing;
  if (const auto clock = at["timestamp"].one_of({"wall", "virtual"})) signing.timestamp = *clock;
  const util::Cursor secret = at["secret"];
  const util::Cursor secrets = at["secrets"];
  if (secret.exists() && secrets.exists()) at.fail("give \"secret\" or \"secrets\", not both");
  if (const auto one = secret.string(false)) signing.secrets = {*one};
  if (non_empty_array(secrets)) {
    signing.secrets.clear();
    for (std::size_t i = 0; i < secrets.size(); ++i)
      if (const auto s = secrets.at(i).string(false)) signing.secrets.push_back(*s);
  }
  const bool gave_secret = secret.exists() || secrets.exists();
  const util::Cursor scheme = at["scheme"];
  if (scheme.exists()) {
    const auto named = scheme.one_of({"none", "standard", "svix", "x-signature"});
    if (!named) return signing;
    signing.scheme = *named;
    if (*named == "none" && gave_secret) at.fail("secrets are unused with scheme \"none\"");
    // "none" signs nothing, also where secrets came from the stream's settings.
    if (*named == "none") signing.secrets.clear();
  } else if (gave_secret && signing.scheme == "none") {
    if (!vendor.known || !vendor.signing) return signing;
    if (vendor.signing->empty() || *vendor.signing == "none") {
      scheme.fail("is required: vendor \"" + vendor.vendor + "\" has no signing scheme of its own");
      return signing;
    }
    signing.scheme = *vendor.signing;
  }
  if (signing.scheme != "none" && signing.secrets.empty() && !gave_secret)
    secrets.fail("is required for scheme \"" + signing.scheme + "\"");
  // Each secret given here must stand for a key under the scheme.
  const auto check_key = [&](const util::Cursor& text) {
    if (text.node() == nullptr || !text.node()->is_string()) return;  // already reported
    const std::string value = text.node()->get<std::string>();
    if (!value.empty() && !signing_key(signing.scheme, value))
      text.fail("is not a " + signing.scheme + " secret: expected base64 after an optional \"whsec_\" prefix, " +
                "as the " + (signing.scheme == "svix" ? "Svix" : "Standard Webhooks") + " libraries read it");
  };
  if (secret.exists()) check_key(secret);
  if (non_empty_array(secrets))
    for (std::size_t i = 0; i < secrets.size(); ++i) check_key(secrets.at(i));
  return signing;
}

DeliverySettings read_settings(const util::Cursor& at, DeliverySettings settings, const VendorNames& vendor) {
  if (const auto ms = at["timeout_ms"].integer(1)) settings.timeout_ms = ms;
  if (const auto ms = at["connect_timeout_ms"].integer(1)) settings.connect_timeout_ms = ms;
  if (at["retry"].exists()) settings.retry = read_retry(at["retry"], settings.retry.value_or(RetryPolicy{}));
  if (at["signing"].exists())
    settings.signing = read_signing(at["signing"], settings.signing.value_or(Signing{}), vendor);
  return settings;
}

}  // namespace

DeliverySettings read_delivery(const util::Cursor& at, const VendorNames& vendor,
                               std::map<std::string, DeliverySettings>& per_event) {
  DeliverySettings settings;
  if (!at.exists() || !at.keys({"timeout_ms", "connect_timeout_ms", "retry", "signing", "ordering", "events"}))
    return settings;
  settings = read_settings(at, settings, vendor);
  if (const auto ordering = at["ordering"].one_of({"timeline", "concurrent", "strict"})) settings.ordering = *ordering;
  const util::Cursor events = at["events"];
  if (!events.is_object()) return settings;
  for (auto it = events.node()->begin(); it != events.node()->end(); ++it) {
    const util::Cursor event = events[it.key()];
    check_event(event, it.key(), vendor);
    // "ordering" holds a whole call's deliveries in line, so it has no per-event form.
    if (!event.keys({"timeout_ms", "connect_timeout_ms", "retry", "signing"})) continue;
    per_event[it.key()] = read_settings(event, settings, vendor);
  }
  return settings;
}

}  // namespace callhook::scenario::detail
