#pragma once
// Webhook signatures, added to each attempt (the timestamp is per attempt,
// the id is the delivery's and stays the same on every retry).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/header.hpp"

namespace callhook::delivery {

// Base64 HMAC-SHA256 of "id.timestamp.body" with a Standard Webhooks secret
// (its key as scenario::signing_key reads it).
std::string standard_signature(std::string_view secret, std::string_view id, std::int64_t timestamp_s,
                               std::string_view body);
// Lowercase hex HMAC-SHA256 of the raw body.
std::string hex_hmac_sha256(std::string_view key, std::string_view body);

// Adds the scheme's headers. `corrupt` (bad_signature fault) signs a body
// that differs from the one sent, so a correct verifier rejects it.
void sign(util::Headers& headers, const scenario::Signing& signing, std::string_view id, std::int64_t timestamp_s,
          std::string_view body, bool corrupt);

// Signs recorded headers again at `timestamp_s` with `secrets`, in the
// timestamped scheme they carry (Standard Webhooks webhook-* or Svix svix-*
// headers), replacing the timestamp and signature values in place. Returns
// false, leaving the headers alone, when they carry neither scheme (an
// X-Signature has no timestamp, so the recorded one stays valid).
// The timestamp recorded headers were signed with (webhook-timestamp or
// svix-timestamp), nullopt when they carry neither or it is not a number.
std::optional<std::int64_t> signed_timestamp(const util::Headers& headers);

bool resign(util::Headers& headers, const std::vector<std::string>& secrets, std::int64_t timestamp_s,
            std::string_view body, bool corrupt);

}  // namespace callhook::delivery
