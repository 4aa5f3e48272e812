#include "serve/http_message.hpp"

#include <nlohmann/json.hpp>

namespace callhook::serve {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes `text`; '+' is a space in a query. False on a bad escape.
bool decode(std::string_view text, bool plus_is_space, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      const int high = i + 1 < text.size() ? hex_value(text[i + 1]) : -1;
      const int low = i + 2 < text.size() ? hex_value(text[i + 2]) : -1;
      if (high < 0 || low < 0) return false;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
  }
  return true;
}

}  // namespace

std::string ApiRequest::param(std::string_view name) const {
  const auto it = query.find(name);
  return it == query.end() ? std::string() : it->second;
}

std::string ApiRequest::header(std::string_view name) const {
  const auto it = message.find(boost::beast::string_view(name.data(), name.size()));
  return it == message.end() ? std::string() : std::string(it->value());
}

bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string, std::less<>>& query) {
  const auto mark = target.find('?');
  if (!decode(target.substr(0, mark), false, path)) return false;
  if (mark == std::string_view::npos) return true;
  std::string_view rest = target.substr(mark + 1);
  while (!rest.empty()) {
    const auto amp = rest.find('&');
    const std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    std::string name, value;
    if (!decode(pair.substr(0, eq), true, name)) return false;
    if (eq != std::string_view::npos && !decode(pair.substr(eq + 1), true, value)) return false;
    query[name] = std::move(value);
  }
  return true;
}

ApiResponse error_response(unsigned status, const std::string& message) {
  ApiResponse response;
  response.status = status;
  response.body =
      nlohmann::ordered_json{{"error", message}}.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) +
      "\n";
  return response;
}

}  // namespace callhook::serve
