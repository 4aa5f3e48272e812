#include "sink/event_name.hpp"

#include <nlohmann/json.hpp>

#include "sink/server.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"
#include "util/url.hpp"

namespace callhook::sink {
namespace {

bool looks_like_json_object(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{';
}

bool is_form(std::string_view content_type) {
  return util::istarts_with(content_type, "application/x-www-form-urlencoded");
}

std::optional<std::string> string_key(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string event_name(std::string_view content_type, std::string_view body, std::string_view query) {
  nlohmann::json doc;
  if (looks_like_json_object(body)) doc = util::parse_json(body, util::k_received_json).value;
  const bool json = doc.is_object();
  if (json) {
    for (const char* key : {"type", "event", "Event"})
      if (auto value = string_key(doc, key)) return *value;
  }
  if (is_form(content_type))
    if (auto value = util::form_value(body, "Event")) return *value;
  if (auto value = util::form_value(query, "Event")) return *value;
  if (json)
    if (auto value = string_key(doc, "trigger_reason")) return *value;
  return {};
}

}  // namespace callhook::sink
