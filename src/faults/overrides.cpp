// Overrides: exact values a scenario pins in a delivery's body (a script
// step's "overrides", a stream's per-event "overrides").
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "faults/body_edit.hpp"
#include "faults/faults.hpp"

namespace callhook::faults {

namespace {

using Ordered = nlohmann::ordered_json;

// Form and query values are text: strings as they are, the rest as JSON.
std::string param_text(const util::Json& value) {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return "";
  return value.dump();
}

// nlohmann's message without its "[json.exception...] " tag.
std::string without_tag(const std::string& what) {
  const auto tag = what.find("] ");
  return what.rfind("[json.exception", 0) == 0 && tag != std::string::npos ? what.substr(tag + 2) : what;
}

void override_json(vendors::Delivery& delivery, const std::map<std::string, util::Json>& overrides) {
  // Ordered parsing keeps the vendor's key order, which receivers may see.
  Ordered doc = Ordered::parse(delivery.body, nullptr, false);
  if (doc.is_discarded())
    throw std::invalid_argument("cannot apply overrides to " + delivery.event + ": the body is not JSON");
  for (const auto& [pointer, value] : overrides) {
    try {
      doc[Ordered::json_pointer(pointer)] = Ordered(value);
    } catch (const nlohmann::json::exception& e) {
      throw std::invalid_argument("override " + pointer + " of " + delivery.event + ": " + without_tag(e.what()));
    }
  }
  delivery.body = doc.dump();
}

void override_params(vendors::Delivery& delivery, const std::map<std::string, util::Json>& overrides) {
  std::string params = params_of(delivery);
  for (const auto& [pointer, value] : overrides) {
    const std::string_view name =
        !pointer.empty() && pointer.front() == '/' ? std::string_view(pointer).substr(1) : std::string_view(pointer);
    params = form_set(params, name, param_text(value));
  }
  set_params(delivery, params);
}

}  // namespace

void apply_overrides(vendors::Delivery& delivery, const std::map<std::string, util::Json>& overrides) {
  if (overrides.empty()) return;
  if (body_kind(delivery) == BodyKind::Json)
    override_json(delivery, overrides);
  else
    override_params(delivery, overrides);
}

}  // namespace callhook::faults
