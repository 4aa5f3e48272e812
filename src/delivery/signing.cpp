#include "delivery/signing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "scenario/signing_key.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"

namespace callhook::delivery {
namespace {

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), digest, &size);
  return std::string(reinterpret_cast<const char*>(digest), size);
}

}  // namespace

std::string standard_signature(std::string_view secret, std::string_view id, std::int64_t timestamp_s,
                               std::string_view body) {
  std::string message;
  message.reserve(id.size() + body.size() + 24);
  message.append(id);
  message += '.';
  message += std::to_string(timestamp_s);
  message += '.';
  message.append(body);
  // Secrets are checked when the scenario is read; one that does not decode
  // signs with no key rather than a made-up one.
  return util::base64_encode(hmac_sha256(scenario::signing_key("standard", secret).value_or(""), message));
}

std::string hex_hmac_sha256(std::string_view key, std::string_view body) {
  static constexpr char k_hex[] = "0123456789abcdef";
  const std::string digest = hmac_sha256(key, body);
  std::string out;
  out.reserve(digest.size() * 2);
  for (const unsigned char byte : digest) {
    out += k_hex[byte >> 4];
    out += k_hex[byte & 15];
  }
  return out;
}

void sign(util::Headers& headers, const scenario::Signing& signing, std::string_view id, std::int64_t timestamp_s,
          std::string_view body, bool corrupt) {
  std::string altered;
  if (corrupt) {
    altered = "tampered:";
    altered.append(body);
    body = altered;
  }
  if (signing.scheme == "standard" || signing.scheme == "svix") {
    const std::string prefix = signing.scheme == "svix" ? "svix-" : "webhook-";
    headers.push_back({prefix + "id", std::string(id)});
    headers.push_back({prefix + "timestamp", std::to_string(timestamp_s)});
    if (signing.secrets.empty()) return;
    // Several secrets (a rotation in progress) sign side by side, space separated.
    std::string value;
    for (const auto& secret : signing.secrets) {
      if (!value.empty()) value += ' ';
      value += "v1,";
      value += standard_signature(secret, id, timestamp_s, body);
    }
    headers.push_back({prefix + "signature", std::move(value)});
  } else if (signing.scheme == "x-signature") {
    if (signing.secrets.empty()) return;
    headers.push_back({"X-Signature", hex_hmac_sha256(signing.secrets.front(), body)});
  }
}

namespace {

template <class HeadersT>
auto* find_header(HeadersT& headers, std::string_view name) {
  for (auto& h : headers)
    if (util::iequals(h.name, name)) return &h;
  return static_cast<decltype(&headers.front())>(nullptr);
}

}  // namespace

std::optional<std::int64_t> signed_timestamp(const util::Headers& headers) {
  for (const std::string_view name : {"webhook-timestamp", "svix-timestamp"}) {
    const util::Header* h = find_header(headers, name);
    if (!h) continue;
    std::int64_t value = 0;
    const auto [end, ec] = std::from_chars(h->value.data(), h->value.data() + h->value.size(), value);
    if (ec == std::errc() && end == h->value.data() + h->value.size()) return value;
  }
  return std::nullopt;
}

bool resign(util::Headers& headers, const std::vector<std::string>& secrets, std::int64_t timestamp_s,
            std::string_view body, bool corrupt) {
  for (const std::string_view scheme : {"standard", "svix"}) {
    const std::string prefix = scheme == "svix" ? "svix-" : "webhook-";
    util::Header* id = find_header(headers, prefix + "id");
    util::Header* timestamp = find_header(headers, prefix + "timestamp");
    util::Header* signature = find_header(headers, prefix + "signature");
    if (!id || !timestamp || !signature) continue;
    scenario::Signing signing;
    signing.scheme = std::string(scheme);
    signing.secrets = secrets;
    util::Headers fresh;
    sign(fresh, signing, id->value, timestamp_s, body, corrupt);
    timestamp->value = find_header(fresh, prefix + "timestamp")->value;
    signature->value = find_header(fresh, prefix + "signature")->value;
    return true;
  }
  return false;
}

}  // namespace callhook::delivery
