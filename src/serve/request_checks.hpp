#pragma once
// What a request must show before any route sees it: a Host this server
// answers to and no foreign Origin (so neither a web page nor a DNS
// rebinding can drive it), the bearer token when one is set, and a JSON
// content type on a POST. Each check looks at the head only: nothing is
// read or started for a refused request.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "serve/http_message.hpp"

namespace callhook::serve {

struct RequestRules {
  std::string listen_host;                 // as given to --listen
  std::string token;                       // "" = none asked
  std::vector<std::string> allow_origins;  // exact Origin values (scheme://host[:port])
  std::vector<std::string> allow_hosts;    // extra Host names, without port
  std::vector<std::string> open_paths;     // paths that need no token (/healthz)
};

// The refusal (403 for Host or Origin, 401 for the token), or nullopt.
std::optional<ApiResponse> refuse_caller(const RequestRules& rules, const ApiRequest& request);
// 415 unless a POST says Content-Type: application/json (parameters allowed).
std::optional<ApiResponse> refuse_content_type(const ApiRequest& request);

// The token of an "Authorization: Bearer TOKEN" value (scheme in any case);
// nullopt for another scheme or none.
std::optional<std::string> bearer_token(std::string_view authorization);
// The host of a Host header value, without its port; "[::1]" keeps its brackets off: "::1".
std::string host_name(std::string_view host_header);

}  // namespace callhook::serve
