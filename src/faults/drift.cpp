#include "faults/drift.hpp"

#include <nlohmann/json.hpp>

#include "faults/body_edit.hpp"
#include "util/ids.hpp"
#include "util/url.hpp"

namespace callhook::faults {

namespace {

using Ordered = nlohmann::ordered_json;

std::optional<Ordered> parse_object(const std::string& body) {
  Ordered doc = Ordered::parse(body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return std::nullopt;
  return doc;
}

// Renames the event inside the body; false when the field is not there.
bool rename_event(vendors::Delivery& delivery) {
  if (delivery.event_field.empty()) return false;
  if (body_kind(delivery) != BodyKind::Json) {
    const std::string params = params_of(delivery);
    const auto name = util::form_value(params, delivery.event_field);
    if (!name) return false;
    set_params(delivery, form_set(params, delivery.event_field, *name + k_drift_event_suffix));
    return true;
  }
  auto doc = parse_object(delivery.body);
  if (!doc) return false;
  try {
    const Ordered::json_pointer pointer(delivery.event_field);
    if (!doc->contains(pointer) || !(*doc)[pointer].is_string()) return false;
    (*doc)[pointer] = (*doc)[pointer].get<std::string>() + k_drift_event_suffix;
  } catch (const nlohmann::json::exception&) {
    return false;  // not a JSON pointer
  }
  delivery.body = doc->dump();
  return true;
}

}  // namespace

bool add_drift_field(vendors::Delivery& delivery, util::Rng& rng) {
  const std::string id = util::hex_id(rng, 12);
  if (body_kind(delivery) != BodyKind::Json) {
    set_params(delivery, form_set(params_of(delivery), k_drift_param, id));
    return true;
  }
  auto doc = parse_object(delivery.body);
  if (!doc) return false;
  (*doc)[k_drift_json_key] = Ordered{{"id", id}, {"note", "a field this receiver has not seen before"}};
  delivery.body = doc->dump();
  return true;
}

std::optional<vendors::Delivery> drift_event(const vendors::Delivery& delivery) {
  vendors::Delivery out = delivery;
  if (!rename_event(out)) return std::nullopt;
  out.event += k_drift_event_suffix;
  out.event_id += "-drift";
  out.blocking = false;
  out.copy = 0;
  out.dropped = false;
  out.stale_timestamp = false;
  out.bad_signature = false;
  out.lost_ack = false;
  out.faults = {"schema_drift"};
  return out;
}

}  // namespace callhook::faults
