#pragma once
// The HMAC key a signing secret stands for, read as the official libraries
// read it: "standard" (Standard Webhooks) and "svix" secrets are base64
// after an optional "whsec_" prefix; "x-signature" keys are the string's
// bytes. The scenario reader refuses a secret with no key; the signer uses
// the key.
#include <optional>
#include <string>
#include <string_view>

namespace callhook::scenario {

// nullopt when a base64 secret does not decode.
std::optional<std::string> signing_key(std::string_view scheme, std::string_view secret);

}  // namespace callhook::scenario
