#pragma once
// Editing a delivery's parameters in place, whatever carries them: a JSON
// body, a form body or the query string of a GET. Overrides and schema drift
// both go through here, so the two agree on what "the body" is.
#include <optional>
#include <string>
#include <string_view>

#include "vendors/delivery.hpp"

namespace callhook::faults {

enum class BodyKind { Json, Form, Query };

// Where the delivery's fields live: a GET carries them in the URL's query.
BodyKind body_kind(const vendors::Delivery& delivery);

// Replaces the first parameter named `name` (appending it when absent);
// every other parameter keeps its bytes and position.
std::string form_set(std::string_view encoded, std::string_view name, std::string_view value);

// The delivery's parameter text (form body or URL query), for Form and Query kinds.
std::string params_of(const vendors::Delivery& delivery);
// Stores parameter text back where params_of found it.
void set_params(vendors::Delivery& delivery, const std::string& params);

}  // namespace callhook::faults
