#pragma once
// Identifier and phone-number formats the vendors use, drawn from an Rng.
#include <string>

#include "util/rng.hpp"

namespace callhook::util {

// n lowercase hex characters ("6772da2e485189279fa5b9da" for n = 24).
std::string hex_id(Rng& rng, std::size_t n);
// n characters from [a-z0-9].
std::string lower_alnum_id(Rng& rng, std::size_t n);
// n characters from [A-Za-z0-9].
std::string base62_id(Rng& rng, std::size_t n);
// The same characters appended to `out`, for ids built with a prefix in
// place (no temporary string on the per-delivery path).
void append_hex_id(std::string& out, Rng& rng, std::size_t n);
void append_base62_id(std::string& out, Rng& rng, std::size_t n);
// RFC 4122 version 4 UUID, lowercase.
std::string uuid4(Rng& rng);
// A realistic E.164 number for a country code ("1", "44", "61", "91").
std::string e164(Rng& rng, const std::string& country);

}  // namespace callhook::util
