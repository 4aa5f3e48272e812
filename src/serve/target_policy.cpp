#include "serve/target_policy.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <optional>
#include <stdexcept>

#include "util/url.hpp"

namespace callhook::serve {
namespace {

using Address = TargetPolicy::Address;

// Names that reach a cloud's instance metadata whatever their address.
constexpr std::string_view k_metadata_names[] = {"metadata.google.internal", "metadata.goog", "metadata"};

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (!out.empty() && out.back() == '.') out.pop_back();  // "metadata.google.internal." is the same name
  return out;
}

std::optional<Address> parse_address(const std::string& text) {
  Address address;
  in_addr v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4) == 1) {
    address.bytes[10] = address.bytes[11] = 0xff;
    std::memcpy(address.bytes + 12, &v4, 4);
    return address;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, text.c_str(), &v6) == 1) {
    std::memcpy(address.bytes, &v6, 16);
    return address;
  }
  return std::nullopt;
}

bool is_v4(const Address& a) {
  for (int i = 0; i < 10; ++i)
    if (a.bytes[i] != 0) return false;
  return a.bytes[10] == 0xff && a.bytes[11] == 0xff;
}

bool in_network(const Address& a, const Address& network, int prefix) {
  for (int bit = 0; bit < prefix; ++bit) {
    const int byte = bit / 8;
    const auto mask = static_cast<std::uint8_t>(0x80 >> (bit % 8));
    if ((a.bytes[byte] & mask) != (network.bytes[byte] & mask)) return false;
  }
  return true;
}

// Link-local (169.254.0.0/16, fe80::/10) and the metadata addresses
// (169.254.169.254 is link-local; AWS's IPv6 one is fd00:ec2::254).
bool is_sensitive(const Address& a) {
  if (is_v4(a)) return a.bytes[12] == 169 && a.bytes[13] == 254;
  if (a.bytes[0] == 0xfe && (a.bytes[1] & 0xc0) == 0x80) return true;
  static const Address aws = *parse_address("fd00:ec2::254");
  return std::equal(std::begin(a.bytes), std::end(a.bytes), std::begin(aws.bytes));
}

// The host's addresses: itself when it is one, else what the resolver says
// (empty when it says nothing: the run fails to connect, nothing is reached).
std::vector<Address> addresses_of(const std::string& host) {
  if (const auto literal = parse_address(host)) return {*literal};
  std::vector<Address> out;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &found) != 0) return out;
  for (const addrinfo* at = found; at; at = at->ai_next) {
    Address a;
    if (at->ai_family == AF_INET) {
      a.bytes[10] = a.bytes[11] = 0xff;
      std::memcpy(a.bytes + 12, &reinterpret_cast<const sockaddr_in*>(at->ai_addr)->sin_addr, 4);
    } else if (at->ai_family == AF_INET6) {
      std::memcpy(a.bytes, &reinterpret_cast<const sockaddr_in6*>(at->ai_addr)->sin6_addr, 16);
    } else {
      continue;
    }
    out.push_back(a);
  }
  freeaddrinfo(found);
  return out;
}

}  // namespace

void TargetPolicy::allow(std::string_view text) {
  Rule rule;
  std::string_view host_part = text;
  const auto slash = text.find('/');
  std::optional<int> prefix;
  if (slash != std::string_view::npos) {
    const std::string bits(text.substr(slash + 1));
    host_part = text.substr(0, slash);
    char* end = nullptr;
    const long n = std::strtol(bits.c_str(), &end, 10);
    if (bits.empty() || *end != '\0' || n < 0 || n > 128)
      throw std::invalid_argument("\"" + std::string(text) + "\": the prefix length is not a number from 0 to 128");
    prefix = static_cast<int>(n);
  }
  // "host", "host:port", "[v6]:port", "v6" and "a.b.c.d/n", "v6/n".
  std::string host;
  std::string port;
  if (parse_address(std::string(host_part))) {
    host = std::string(host_part);
  } else if (const auto split = util::split_authority(host_part); split && !split->host.empty()) {
    host = split->host;
    port = split->port;
  } else {
    throw std::invalid_argument("\"" + std::string(text) + "\": expected a host, host:port, an address or a CIDR");
  }
  if (!port.empty()) {
    const long n = std::strtol(port.c_str(), nullptr, 10);
    if (n < 1 || n > 65535) throw std::invalid_argument("\"" + std::string(text) + "\": the port is not 1 to 65535");
    rule.port = static_cast<int>(n);
  }
  if (const auto address = parse_address(host)) {
    rule.network = *address;
    const bool v4 = is_v4(*address) && host.find(':') == std::string::npos;
    if (prefix && v4 && *prefix > 32)
      throw std::invalid_argument("\"" + std::string(text) + "\": an IPv4 prefix is at most 32 bits");
    rule.prefix = prefix ? (v4 ? 96 + *prefix : *prefix) : 128;
  } else {
    if (prefix) throw std::invalid_argument("\"" + std::string(text) + "\": a CIDR needs an address, not a name");
    rule.host = lower(host);
  }
  m_rules.push_back(std::move(rule));
}

bool TargetPolicy::allows(const Rule& rule, const std::string& host, const std::vector<Address>& addresses,
                          int port) const {
  if (rule.port >= 0 && rule.port != port) return false;
  if (rule.prefix < 0) return rule.host == host;
  if (addresses.empty()) return false;
  return std::all_of(addresses.begin(), addresses.end(),
                     [&](const Address& a) { return in_network(a, rule.network, rule.prefix); });
}

std::string TargetPolicy::refusal(std::string_view text) const {
  const auto url = util::parse_url(text);
  if (!url) return {};  // not a URL: the caller's own check names it
  const std::string host = lower(url->host);
  const std::vector<Address> addresses = addresses_of(host);
  const int port = url->port;
  const std::string named = util::authority(url->host, port);
  for (const Rule& rule : m_rules)
    if (allows(rule, host, addresses, port)) return {};
  const bool metadata_name =
      std::find(std::begin(k_metadata_names), std::end(k_metadata_names), host) != std::end(k_metadata_names);
  if (metadata_name || std::any_of(addresses.begin(), addresses.end(), is_sensitive))
    return named +
           " is a link-local or cloud metadata address; the server reaches it only when --allow-target names it";
  if (!m_rules.empty()) return named + " is not allowed by the server's --allow-target rules";
  return {};
}

}  // namespace callhook::serve
