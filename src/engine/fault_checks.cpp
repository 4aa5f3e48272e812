#include "engine/fault_checks.hpp"

#include <algorithm>

#include "faults/roles.hpp"

namespace callhook::engine {
namespace {

// Why a signature fault cannot act under `scheme`, or "" when it can.
std::string signature_problem(std::string_view fault, const std::string& scheme) {
  if (scheme == "none")
    return "cannot act: the deliveries it applies to are not signed (signing scheme \"none\"); give "
           "delivery.signing a scheme and secret";
  if (fault == "stale_timestamp" && scheme == "x-signature")
    return "cannot act: X-Signature carries no timestamp, so there is none to make stale; it needs scheme "
           "\"standard\" or \"svix\"";
  return "";
}

// Whether `event` plays the role `pattern` moves, and it (and, for an end,
// its start) is sent under the stream's configuration.
bool moves(const std::string& pattern, const std::string& vendor, const vendors::Vendor* profile,
           const std::string& event) {
  const faults::EventRole role = faults::role_of(vendor, event);
  if (role.role != faults::mover_of(pattern)) return false;
  if (profile == nullptr) return true;
  return profile->sends(event) && (role.partner.empty() || profile->sends(role.partner));
}

// Why `pattern` cannot act here (for `event`, or anywhere in the stream when
// event is empty), or "" when it can.
std::string pattern_problem(const std::string& pattern, const std::string& vendor, const vendors::Vendor* profile,
                            const std::vector<std::string>& events, const std::string& event) {
  const faults::Role mover = faults::mover_of(pattern);
  const char* what = mover == faults::Role::End         ? "an end event (that closes a start)"
                     : mover == faults::Role::Recording ? "a recording event that follows the call's end"
                                                        : "transcript events";
  if (!event.empty()) {
    if (moves(pattern, vendor, profile, event)) return "";
    return "cannot act: \"" + pattern + "\" moves " + what + ", and \"" + event +
           "\" is not one (or is switched off in vendor_config)";
  }
  const bool any = std::any_of(events.begin(), events.end(),
                               [&](const std::string& e) { return moves(pattern, vendor, profile, e); });
  return any ? "" : "cannot act: \"" + pattern + "\" moves " + what + ", and vendor \"" + vendor + "\" sends none";
}

// `scheme(fault)`: the signing scheme the fault would act under.
// `retry_problem`: why a lost ack cannot act here, or "".
template <class SchemeFor>
void check_plan(const scenario::FaultPlan& plan, const scenario::FaultPlan* inherited, const std::string& pointer,
                const SchemeFor& scheme, const std::string& retry_problem, const std::string& vendor,
                const vendors::Vendor* profile, const std::vector<std::string>& events, const std::string& event,
                util::Problems& problems) {
  if (plan.lost_ack_p > 0 && (!inherited || inherited->lost_ack_p != plan.lost_ack_p) && !retry_problem.empty())
    problems.add(pointer + "/lost_ack", retry_problem);
  // An event's plan reports only what it sets itself (what differs from the
  // stream's plan); the stream's plan is checked on its own.
  if (plan.stale_timestamp_p > 0 && (!inherited || inherited->stale_timestamp_p != plan.stale_timestamp_p))
    if (auto why = signature_problem("stale_timestamp", scheme("stale_timestamp")); !why.empty())
      problems.add(pointer + "/stale_timestamp", why);
  if (plan.bad_signature_p > 0 && (!inherited || inherited->bad_signature_p != plan.bad_signature_p))
    if (auto why = signature_problem("bad_signature", scheme("bad_signature")); !why.empty())
      problems.add(pointer + "/bad_signature", why);
  if (plan.reorder && plan.reorder->p > 0 &&
      (!inherited || !inherited->reorder || inherited->reorder->patterns != plan.reorder->patterns)) {
    const auto& patterns = plan.reorder->patterns;
    for (std::size_t k = 0; k < patterns.size(); ++k)
      if (auto why = pattern_problem(patterns[k], vendor, profile, events, event); !why.empty())
        problems.add(pointer + "/reorder/patterns/" + std::to_string(k), why);
  }
}

}  // namespace

std::string lost_ack_problem(const scenario::RetryPolicy& retry) {
  if (retry.max_attempts <= 1)
    return "cannot act: retries are off (delivery.retry.max_attempts is 1), so a lost answer is never sent again; "
           "give delivery.retry more attempts";
  if (!retry.on_connect)
    return "cannot act: a lost answer is retried as a dropped connection, and delivery.retry.on leaves out "
           "\"connect\"";
  return "";
}

void check_faults(scenario::Stream& stream, std::size_t index, const StreamPlan& plan, util::Problems& problems) {
  const std::string base = "/streams/" + std::to_string(index) + "/faults";
  const auto& events = plan.info->events;
  // The stream's plan can act when it can on any event (one event may sign
  // with its own scheme); the message names the stream's scheme otherwise.
  const auto stream_scheme = [&](std::string_view fault) -> const std::string& {
    for (const auto& event : events) {
      const std::string& scheme = plan.for_event(event).signing.scheme;
      if (signature_problem(fault, scheme).empty()) return scheme;
    }
    return plan.for_event("").signing.scheme;
  };
  // The stream's lost ack can act when any event retries.
  std::string stream_retry = lost_ack_problem(plan.for_event("").retry);
  for (const auto& event : events)
    if (lost_ack_problem(plan.for_event(event).retry).empty()) stream_retry.clear();
  const vendors::Vendor* profile = plan.vendor.get();
  check_plan(stream.faults, nullptr, base, stream_scheme, stream_retry, stream.vendor, profile, events, "", problems);
  for (const auto& [event_name, event_plan] : stream.event_faults) {
    const std::string& event = event_name;  // a plain reference: the lambda below captures it
    const auto event_scheme = [&](std::string_view) -> const std::string& {
      return plan.for_event(event).signing.scheme;
    };
    check_plan(event_plan, &stream.faults, base + "/events/" + event, event_scheme,
               lost_ack_problem(plan.for_event(event).retry), stream.vendor, profile, events, event, problems);
  }

  // Inherited where the event signs otherwise: off for that event.
  for (const auto& event : events) {
    const std::string& scheme = plan.for_event(event).signing.scheme;
    auto it = stream.event_faults.find(event);
    scenario::FaultPlan own = it != stream.event_faults.end() ? it->second : stream.faults;
    bool changed = false;
    if (own.stale_timestamp_p > 0 && !signature_problem("stale_timestamp", scheme).empty()) {
      own.stale_timestamp_p = 0;
      changed = true;
    }
    if (own.bad_signature_p > 0 && !signature_problem("bad_signature", scheme).empty()) {
      own.bad_signature_p = 0;
      changed = true;
    }
    if (own.lost_ack_p > 0 && !lost_ack_problem(plan.for_event(event).retry).empty()) {
      own.lost_ack_p = 0;
      changed = true;
    }
    if (changed) stream.event_faults[event] = own;
  }
}

}  // namespace callhook::engine
