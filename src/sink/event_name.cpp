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

// Exotel VoiceBot names no event; each trigger reason belongs to one of its
// webhook types, the names callhook's vendors, sample and scenarios use.
std::string voicebot_event(const std::string& reason) {
  if (reason == "start") return "session_start";
  if (reason == "turn_progress" || reason == "turn_complete") return "transcript_events";
  if (reason == "timer") return "insights_events";
  if (reason == "end") return "session_end";
  return reason;  // pre_agent_transfer is its own type
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
    if (auto value = string_key(doc, "trigger_reason")) return voicebot_event(*value);
  return {};
}

}  // namespace callhook::sink

namespace callhook::sink {
namespace {

std::optional<std::string> id_at(const nlohmann::json& doc, const char* pointer) {
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
      for (const char* pointer :
           {"/external_id", "/call_id", "/callData/callId", "/data/call_id", "/data/metadata/callSid",
            "/data/metadata/callControlID", "/data/metadata/callUUID", "/data/sessionID"})
        if (auto id = id_at(doc, pointer)) return *id;
    }
    return {};
  }
  if (is_form(content_type))
    if (auto value = util::form_value(body, "Call.Sid")) return *value;
  if (auto value = util::form_value(query, "Call.Sid")) return *value;
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
