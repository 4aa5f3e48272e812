#pragma once
// Absolute http(s) URLs, split the way the transport needs them.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace callhook::util {

struct Url {
  std::string scheme;  // "http" or "https"
  std::string host;    // without brackets for IPv6
  std::uint16_t port = 0;
  std::string target;  // path and query, at least "/"

  // "http://127.0.0.1:8080": the key keep-alive connections are pooled by.
  std::string origin() const;
  std::string str() const { return origin() + target; }
};

// "localhost", "::1" or an address in 127.0.0.0/8, as written (no lookup).
bool is_loopback_host(std::string_view host);

// A host as it is written in a URL: an IPv6 address in brackets ("[::1]").
std::string url_host(std::string_view host);
// "127.0.0.1:8080", "[::1]:8080".
std::string authority(std::string_view host, int port);

struct HostPort {
  std::string host;  // without brackets; "" for ":8080"
  std::string port;  // the digits as written; "" when absent
};
// Splits "host:port", "[v6]:port", "host" or "[v6]"; nullopt when the host
// has characters no host name has, an IPv6 address is not in brackets (or
// the brackets hold no IPv6 address), or the port is not digits.
std::optional<HostPort> split_authority(std::string_view text);

struct ListenAddress {
  std::string host = "127.0.0.1";
  int port = 0;
};
// An address to listen on: "HOST:PORT", "[IPV6]:PORT", ":PORT" or "PORT"
// (host 127.0.0.1), the port from 0 (any) to 65535; nullopt otherwise.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// nullopt when the text is not an absolute http:// or https:// URL.
std::optional<Url> parse_url(std::string_view text);
// Joins a base URL and a path-and-query ("/hooks" + "?a=1").
std::string append_query(const std::string& url, const std::string& query);
// Percent-encoding for application/x-www-form-urlencoded and query strings:
// unreserved characters stay, everything else (including '+') becomes %XX.
std::string form_encode(std::string_view text);
// The inverse for form and query text: "+" is a space, "%2B" a plus;
// malformed escapes are kept as they are.
std::string form_decode(std::string_view text);
// Every parameter of an encoded list, decoded, in order ("" for a bare "key").
std::vector<std::pair<std::string, std::string>> form_params(std::string_view form);
// The decoded value of the first parameter named `key` in an encoded list
// ("" for a bare "key"), nullopt when absent.
std::optional<std::string> form_value(std::string_view form, std::string_view key);

}  // namespace callhook::util
