#pragma once
// A request as the routes see it and an answer as they give it: the HTTP
// layer (http_session) reads and writes these, the routes (api_server) never
// touch a socket.
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callhook::serve {

struct ApiRequest {
  boost::beast::http::request<boost::beast::http::string_body> message;  // head and body as read
  std::string path;                                                      // the target's path, percent-decoded
  std::map<std::string, std::string, std::less<>> query;                 // decoded; the last of a repeated name
  std::vector<std::string> captures;                                     // the route's {} segments, in order

  bool has_param(std::string_view name) const { return query.find(name) != query.end(); }
  // The parameter's value, "" when absent.
  std::string param(std::string_view name) const;
  // A header's value, "" when absent.
  std::string header(std::string_view name) const;
};

struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beside Content-Type and Content-Length
  bool close = false;                                        // close the connection after it
};

// Splits a request target into its decoded path and query parameters; false
// when a percent escape is malformed.
bool parse_target(std::string_view target, std::string& path, std::map<std::string, std::string, std::less<>>& query);

// {"error": message} with a status; every error the API gives has this shape.
ApiResponse error_response(unsigned status, const std::string& message);

}  // namespace callhook::serve
