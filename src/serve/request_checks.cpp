#include "serve/request_checks.hpp"

#include <algorithm>
#include <cctype>

namespace callhook::serve {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Constant time over the expected token, so its length and prefix stay secret.
bool token_matches(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

bool host_allowed(const RequestRules& rules, std::string_view host) {
  for (const std::string_view name : {"localhost", "127.0.0.1", "::1"})
    if (iequals(host, name)) return true;
  const std::string listen = host_name(rules.listen_host);
  if (iequals(host, listen)) return true;
  return std::any_of(rules.allow_hosts.begin(), rules.allow_hosts.end(),
                     [&](const std::string& allowed) { return iequals(host, host_name(allowed)); });
}

}  // namespace

std::string host_name(std::string_view host_header) {
  host_header = trim(host_header);
  if (!host_header.empty() && host_header.front() == '[') {
    const auto close = host_header.find(']');
    return std::string(host_header.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  // A bare IPv6 address (two colons or more) has no port to strip.
  if (std::count(host_header.begin(), host_header.end(), ':') > 1) return std::string(host_header);
  return std::string(host_header.substr(0, host_header.find(':')));
}

std::optional<std::string> bearer_token(std::string_view authorization) {
  authorization = trim(authorization);
  const auto space = authorization.find_first_of(" \t");
  if (space == std::string_view::npos || !iequals(authorization.substr(0, space), "bearer")) return std::nullopt;
  return std::string(trim(authorization.substr(space)));
}

std::optional<ApiResponse> refuse_caller(const RequestRules& rules, const ApiRequest& request) {
  const auto& message = request.message;
  const auto host = message.find(boost::beast::http::field::host);
  if (host != message.end() &&
      !host_allowed(rules, host_name(std::string_view(host->value().data(), host->value().size()))))
    return error_response(403, "Host \"" + std::string(host->value()) +
                                   "\" is not this server's address, a loopback name or an --allow-host");
  if (host == message.end() && message.version() >= 11)
    return error_response(400, "an HTTP/1.1 request needs a Host header");
  const auto origin = message.find(boost::beast::http::field::origin);
  if (origin != message.end() && std::find(rules.allow_origins.begin(), rules.allow_origins.end(),
                                           std::string(origin->value())) == rules.allow_origins.end())
    return error_response(403, "Origin \"" + std::string(origin->value()) + "\" is not allowed (--allow-origin)");
  // A browser's preflight (OPTIONS) never carries the token; its answer gives nothing away.
  if (rules.token.empty() || message.method() == boost::beast::http::verb::options ||
      std::find(rules.open_paths.begin(), rules.open_paths.end(), request.path) != rules.open_paths.end())
    return std::nullopt;
  const auto token = bearer_token(request.header("Authorization"));
  if (token && token_matches(*token, rules.token)) return std::nullopt;
  ApiResponse refusal = error_response(401, "missing or wrong bearer token");
  refusal.headers.emplace_back("WWW-Authenticate", "Bearer");
  return refusal;
}

std::optional<ApiResponse> refuse_content_type(const ApiRequest& request) {
  if (request.message.method() != boost::beast::http::verb::post) return std::nullopt;
  const std::string type = request.header("Content-Type");
  const std::string_view media = trim(std::string_view(type).substr(0, type.find(';')));
  if (iequals(media, "application/json")) return std::nullopt;
  return error_response(415, "a POST body must be sent as Content-Type: application/json, got " +
                                 (type.empty() ? std::string("none") : "\"" + type + "\""));
}

}  // namespace callhook::serve
