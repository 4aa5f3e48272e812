#include "sink/event_name.hpp"

#include <nlohmann/json.hpp>

#include "sink/server.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"
#include "util/url.hpp"
#include "vendors/vendor.hpp"

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

// A reason-keyed vendor's event for `reason` (VoiceBot's trigger reasons).
std::string reason_event(const vendors::WebhookKeys& keys, const std::string& reason) {
  for (const auto& [value, event] : keys.reason_events)
    if (value == reason) return event;
  return reason;
}

}  // namespace

std::string event_name(std::string_view content_type, std::string_view body, std::string_view query) {
  nlohmann::json doc;
  if (looks_like_json_object(body)) doc = util::parse_json(body, util::k_received_json).value;
  const bool json = doc.is_object();
  const auto& all = vendors::registry();
  if (json)
    for (const auto& v : all)
      for (const auto& key : v.webhook.event_json_keys)
        if (auto value = string_key(doc, key.c_str())) return *value;
  for (const auto& v : all)
    for (const auto& param : v.webhook.event_params) {
      if (is_form(content_type))
        if (auto value = util::form_value(body, param)) return *value;
      if (auto value = util::form_value(query, param)) return *value;
    }
  for (const auto& v : all)
    for (const auto& [param, event] : v.webhook.param_events) {
      if (is_form(content_type) && util::form_value(body, param)) return event;
      if (util::form_value(query, param)) return event;
    }
  if (json)
    for (const auto& v : all)
      if (!v.webhook.reason_key.empty())
        if (auto value = string_key(doc, v.webhook.reason_key.c_str())) return reason_event(v.webhook, *value);
  return {};
}

}  // namespace callhook::sink

namespace callhook::sink {
namespace {

std::optional<std::string> id_at(const nlohmann::json& doc, const std::string& pointer) {
  const nlohmann::json::json_pointer p(pointer);
  if (!doc.contains(p)) return std::nullopt;
  const auto& v = doc.at(p);
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  return std::nullopt;
}

}  // namespace

std::string call_id(std::string_view content_type, std::string_view body, std::string_view query) {
  if (looks_like_json_object(body)) {
    const auto doc = nlohmann::json::parse(body, nullptr, false);
    if (doc.is_object()) {
      for (const auto& v : vendors::registry())
        for (const auto& pointer : v.webhook.call_id_pointers)
          if (auto id = id_at(doc, pointer)) return *id;
    }
    return {};
  }
  for (const auto& v : vendors::registry())
    for (const auto& param : v.webhook.call_id_params) {
      if (is_form(content_type))
        if (auto value = util::form_value(body, param)) return *value;
      if (auto value = util::form_value(query, param)) return *value;
    }
  return {};
}

std::string delivery_id(const util::Headers& headers, std::string_view body) {
  for (const char* name : {"webhook-id", "svix-id"})
    for (const auto& h : headers)
      if (util::iequals(h.name, name)) return h.value;
  // No id header: the body's FNV-1a hash stands for it (a repeated body is
  // the same delivery again, as a receiver deduplicating by content sees it).
  if (body.empty()) return {};
  std::uint64_t hash = 14695981039346656037ULL;
  for (const char c : body) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ULL;
  }
  static constexpr char k_hex[] = "0123456789abcdef";
  std::string id = "body:";
  for (int shift = 60; shift >= 16; shift -= 4) id += k_hex[(hash >> shift) & 0xf];
  return id;
}

}  // namespace callhook::sink
