#include "util/url.hpp"

#include <algorithm>
#include <charconv>

#include "util/text.hpp"

namespace callhook::util {

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.substr(0, 4) == "127.";
}

std::string url_host(std::string_view host) {
  if (host.find(':') == std::string_view::npos) return std::string(host);
  return "[" + std::string(host) + "]";
}

std::string authority(std::string_view host, int port) { return url_host(host) + ":" + std::to_string(port); }

namespace {

// Characters of a host name or IPv4 address (RFC 3986 reg-name, without
// percent-encoding and sub-delimiters, which no receiver's name needs).
bool host_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '-' ||
         c == '_' || c == '~';
}

// An IPv6 address, with an optional zone ("fe80::1%eth0").
bool ipv6_text(std::string_view host) {
  const auto zone = host.find('%');
  const std::string_view address = host.substr(0, zone);
  if (address.find(':') == std::string_view::npos) return false;
  for (const char c : address)
    if (hex_digit(c) < 0 && c != ':' && c != '.') return false;
  if (zone == std::string_view::npos) return true;
  const std::string_view name = host.substr(zone + 1);
  return !name.empty() && std::all_of(name.begin(), name.end(), host_char);
}

}  // namespace

std::optional<HostPort> split_authority(std::string_view text) {
  HostPort out;
  std::string_view host = text;
  std::string_view port;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = text.substr(1, close - 1);
    if (!ipv6_text(host)) return std::nullopt;
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::nullopt;
      port = text.substr(close + 2);
      has_port = true;
    }
  } else {
    // Unbracketed, one colon at most: "::1:80" is ambiguous and refused.
    const auto colon = text.find(':');
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port = text.substr(colon + 1);
      has_port = true;
    }
    if (!std::all_of(host.begin(), host.end(), host_char)) return std::nullopt;
  }
  if (has_port && port.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  out.host = std::string(host);
  out.port = std::string(port);
  return out;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  ListenAddress address;
  std::string port_text(text);
  if (text.find_first_not_of("0123456789") != std::string_view::npos) {
    const auto split = split_authority(text);
    if (!split) return std::nullopt;
    if (!split->host.empty()) address.host = split->host;
    port_text = split->port;
  }
  if (port_text.empty() || port_text.size() > 5 || port_text.find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  address.port = std::stoi(port_text);
  if (address.port > 65535) return std::nullopt;
  return address;
}

std::string Url::origin() const {
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  std::string out = scheme;
  out += "://";
  out += url_host(host);
  if (!default_port) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

std::optional<Url> parse_url(std::string_view text) {
  Url url;
  std::string_view rest;
  if (text.substr(0, 7) == "http://") {
    url.scheme = "http";
    url.port = 80;
    rest = text.substr(7);
  } else if (text.substr(0, 8) == "https://") {
    url.scheme = "https";
    url.port = 443;
    rest = text.substr(8);
  } else {
    return std::nullopt;
  }
  const std::size_t slash = rest.find_first_of("/?#");
  std::string_view authority_text = rest.substr(0, slash);
  std::string_view target = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (const auto hash = target.find('#'); hash != std::string_view::npos) target = target.substr(0, hash);
  if (authority_text.find('@') != std::string_view::npos) return std::nullopt;
  auto split = split_authority(authority_text);
  if (!split || split->host.empty()) return std::nullopt;
  const std::string& port = split->port;
  if (!port.empty()) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) return std::nullopt;
    url.port = static_cast<std::uint16_t>(value);
  }
  url.host = std::move(split->host);
  url.target = target.empty() ? "/" : std::string(target);
  if (url.target.front() == '?') url.target = "/" + url.target;
  return url;
}

std::string append_query(const std::string& url, const std::string& query) {
  if (query.empty()) return url;
  return url + (url.find('?') == std::string::npos ? "?" : "&") + query;
}

std::string form_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

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

std::vector<std::pair<std::string, std::string>> form_params(std::string_view form) {
  std::vector<std::pair<std::string, std::string>> params;
  while (!form.empty()) {
    const auto amp = form.find('&');
    const std::string_view pair = form.substr(0, amp);
    if (!pair.empty()) {
      const auto eq = pair.find('=');
      params.emplace_back(form_decode(pair.substr(0, eq)),
                          eq == std::string_view::npos ? std::string() : form_decode(pair.substr(eq + 1)));
    }
    if (amp == std::string_view::npos) break;
    form.remove_prefix(amp + 1);
  }
  return params;
}

std::optional<std::string> form_value(std::string_view form, std::string_view key) {
  for (auto& [name, value] : form_params(form))
    if (name == key) return std::move(value);
  return std::nullopt;
}

}  // namespace callhook::util
