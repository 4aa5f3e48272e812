#pragma once
// Which receivers serve's runs, triggers and probes may reach: the
// --allow-target rules (host names, host:port, IP addresses, CIDRs), and
// link-local and cloud metadata addresses refused unless a rule names them,
// so a request cannot turn the server into a way to read its cloud
// credentials. Without rules every other address is allowed.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace callhook::serve {

class TargetPolicy {
 public:
  // Adds one --allow-target rule; throws std::invalid_argument saying why
  // the text is not a host, host:port, address or CIDR.
  void allow(std::string_view rule);
  bool has_rules() const { return !m_rules.empty(); }

  // Why the URL may not be reached ("" when it may). A host name is
  // resolved, and each of its addresses must be allowed.
  std::string refusal(std::string_view url) const;

  // One address, 16 bytes (IPv4 as ::ffff:a.b.c.d).
  struct Address {
    std::uint8_t bytes[16]{};
  };

 private:
  struct Rule {
    std::string host;   // a name, lower case ("" for an address rule)
    Address network{};  // an address rule's network
    int prefix = -1;    // its prefix length in the 128-bit form; -1 for a name
    int port = -1;      // -1 = any
  };
  bool allows(const Rule& rule, const std::string& host, const std::vector<Address>& addresses, int port) const;

  std::vector<Rule> m_rules;
};

}  // namespace callhook::serve
