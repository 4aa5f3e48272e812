#include "sink/event_name.hpp"

#include <nlohmann/json.hpp>

#include "sink/server.hpp"

namespace callhook::sink {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool looks_like_json_object(std::string_view body) {
  const auto first = body.find_first_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{';
}

bool is_form(std::string_view content_type) {
  constexpr std::string_view k_form = "application/x-www-form-urlencoded";
  return content_type.size() >= k_form.size() && iequals(content_type.substr(0, k_form.size()), k_form);
}

std::optional<std::string> string_key(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

}  // namespace

std::string form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && hex_digit(text[i + 1]) >= 0 && hex_digit(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(text[i + 1]) * 16 + hex_digit(text[i + 2]));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> form_value(std::string_view form, std::string_view key) {
  while (!form.empty()) {
    const auto amp = form.find('&');
    const std::string_view pair = form.substr(0, amp);
    const auto eq = pair.find('=');
    if (form_decode(pair.substr(0, eq)) == key)
      return eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::string event_name(std::string_view content_type, std::string_view body, std::string_view query) {
  nlohmann::json doc;
  if (looks_like_json_object(body)) doc = nlohmann::json::parse(body, nullptr, false);
  const bool json = doc.is_object();
  if (json) {
    for (const char* key : {"type", "event", "Event"})
      if (auto value = string_key(doc, key)) return *value;
  }
  if (is_form(content_type))
    if (auto value = form_value(body, "Event")) return *value;
  if (auto value = form_value(query, "Event")) return *value;
  if (json)
    if (auto value = string_key(doc, "trigger_reason")) return *value;
  return {};
}

}  // namespace callhook::sink
