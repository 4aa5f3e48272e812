#include "scenario/placeholders.hpp"

namespace callhook::scenario {
namespace {

bool name_start(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

}  // namespace

std::vector<PlaceholderAt> find_placeholders(std::string_view text) {
  std::vector<PlaceholderAt> found;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '{' || i + 1 >= text.size() || !name_start(text[i + 1])) continue;
    std::size_t end = i + 1;
    while (end < text.size() && name_char(text[end])) ++end;
    if (end >= text.size() || text[end] != '}') continue;
    found.push_back({i, end + 1 - i, std::string(text.substr(i + 1, end - i - 1))});
    i = end;
  }
  return found;
}

std::string canonical_placeholder(std::string_view name) {
  return name == "call_id" ? std::string("call.id") : std::string(name);
}

const std::vector<std::string>& common_placeholders() {
  static const std::vector<std::string> names = {
      "call_id",         "call.id",       "call.session_id", "call.from",     "call.to",
      "call.direction",  "call.platform", "call.started_at", "call.ended_at", "call.duration_s",
      "call.end_reason", "call.turns",    "call.transferred"};
  return names;
}

std::vector<std::string> placeholder_names(const std::vector<std::string>& events,
                                           const std::vector<std::string>& vendor_facts) {
  std::vector<std::string> names = common_placeholders();
  for (const auto& event : events) names.push_back("call.delivered." + event);
  for (const auto& fact : vendor_facts) names.push_back("call.vendor." + fact);
  return names;
}

}  // namespace callhook::scenario
