#include "scenario/signing_key.hpp"

#include "util/base64.hpp"

namespace callhook::scenario {

std::optional<std::string> signing_key(std::string_view scheme, std::string_view secret) {
  if (scheme != "standard" && scheme != "svix") return std::string(secret);
  constexpr std::string_view prefix = "whsec_";
  if (secret.starts_with(prefix)) secret.remove_prefix(prefix.size());
  return util::base64_decode(secret);
}

}  // namespace callhook::scenario
