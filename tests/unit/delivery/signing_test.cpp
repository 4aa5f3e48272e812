#include <catch2/catch.hpp>

#include <string>

#include "delivery/signing.hpp"
#include "scenario/signing_key.hpp"

using callhook::delivery::hex_hmac_sha256;
using callhook::delivery::resign;
using callhook::delivery::sign;
using callhook::delivery::signed_timestamp;
using callhook::delivery::standard_signature;
using callhook::scenario::Signing;
using callhook::util::Headers;

namespace {

const char* const k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const char* const k_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
const std::int64_t k_timestamp = 1614265330;
const char* const k_body = R"({"test": 2432232314})";
// The Standard Webhooks specification's published test vector.
const char* const k_expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

std::string header(const Headers& headers, const std::string& name) {
  for (const auto& h : headers) {
    if (h.name == name) return h.value;
  }
  return "<absent>";
}

}  // namespace

TEST_CASE("standard signatures match the published test vector", "[delivery][signing]") {
  CHECK("v1," + standard_signature(k_secret, k_id, k_timestamp, k_body) == k_expected);
  // Any change to the signed content changes the signature.
  CHECK("v1," + standard_signature(k_secret, k_id, k_timestamp + 1, k_body) != k_expected);
  CHECK("v1," + standard_signature(k_secret, "msg_other", k_timestamp, k_body) != k_expected);
}

TEST_CASE("hex HMAC-SHA256 matches RFC 4231", "[delivery][signing]") {
  // RFC 4231 test cases 1 and 2.
  CHECK(hex_hmac_sha256(std::string(20, '\x0b'), "Hi There") ==
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  CHECK(hex_hmac_sha256("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("a secret without the whsec_ prefix is the same base64 key", "[delivery][signing]") {
  // As the Standard Webhooks and Svix libraries read it: the prefix is optional.
  CHECK("v1," + standard_signature("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", k_id, k_timestamp, k_body) == k_expected);
}

TEST_CASE("signing keys: base64 for standard and svix, the string's bytes for x-signature", "[delivery][signing]") {
  using callhook::scenario::signing_key;
  CHECK(signing_key("standard", "whsec_c2Vjb25k") == std::optional<std::string>("second"));
  CHECK(signing_key("svix", "c2Vjb25k") == std::optional<std::string>("second"));
  CHECK(signing_key("standard", "whsec_c2Vjb24=") == std::optional<std::string>("secon"));
  CHECK(signing_key("svix", "whsec_c2Vjbw==") == std::optional<std::string>("seco"));
  CHECK(signing_key("x-signature", "whsec_abc") == std::optional<std::string>("whsec_abc"));
  CHECK(signing_key("x-signature", "Jefe") == std::optional<std::string>("Jefe"));
  for (const char* bad :
       {"whsec_old", "whsec_", "", "c2Vj b25k", "c2Vjb25k=", "c2Vj=b25", "====", "c2Vjb25-", "whsec_whsec_c2Vjb25k"}) {
    INFO(bad);
    CHECK_FALSE(signing_key("standard", bad));
    CHECK_FALSE(signing_key("svix", bad));
  }
}

TEST_CASE("sign adds each scheme's headers", "[delivery][signing]") {
  struct Row {
    const char* scheme;
    const char* id_header;
    const char* timestamp_header;
    const char* signature_header;
  };
  const Row rows[] = {
      {"standard", "webhook-id", "webhook-timestamp", "webhook-signature"},
      {"svix", "svix-id", "svix-timestamp", "svix-signature"},
  };
  for (const auto& row : rows) {
    INFO(row.scheme);
    Headers headers = {{"Content-Type", "application/json"}};
    sign(headers, Signing{row.scheme, {k_secret}}, k_id, k_timestamp, k_body, false);
    CHECK(headers.size() == 4);
    CHECK(header(headers, "Content-Type") == "application/json");
    CHECK(header(headers, row.id_header) == k_id);
    CHECK(header(headers, row.timestamp_header) == "1614265330");
    CHECK(header(headers, row.signature_header) == k_expected);
  }
}

TEST_CASE("several secrets sign side by side", "[delivery][signing]") {
  Headers headers;
  sign(headers, Signing{"standard", {"whsec_c2Vjb25k", k_secret}}, k_id, k_timestamp, k_body, false);
  const std::string expected_first = "v1," + standard_signature("whsec_c2Vjb25k", k_id, k_timestamp, k_body);
  CHECK(header(headers, "webhook-signature") == expected_first + " " + k_expected);
}

TEST_CASE("x-signature is the hex HMAC of the body under the first secret", "[delivery][signing]") {
  Headers headers;
  sign(headers, Signing{"x-signature", {"Jefe", "ignored"}}, k_id, k_timestamp, "what do ya want for nothing?", false);
  REQUIRE(headers.size() == 1);
  CHECK(headers[0].name == "X-Signature");
  CHECK(headers[0].value == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("scheme none adds nothing", "[delivery][signing]") {
  Headers headers;
  sign(headers, Signing{"none", {k_secret}}, k_id, k_timestamp, k_body, false);
  CHECK(headers.empty());
}

TEST_CASE("a corrupt signature is well formed but does not verify", "[delivery][signing]") {
  for (const char* scheme : {"standard", "svix", "x-signature"}) {
    INFO(scheme);
    Headers good;
    Headers bad;
    sign(good, Signing{scheme, {k_secret}}, k_id, k_timestamp, k_body, false);
    sign(bad, Signing{scheme, {k_secret}}, k_id, k_timestamp, k_body, true);
    REQUIRE(good.size() == bad.size());
    const auto& good_signature = good.back().value;
    const auto& bad_signature = bad.back().value;
    CHECK(good.back().name == bad.back().name);
    CHECK(good_signature != bad_signature);
    CHECK(good_signature.size() == bad_signature.size());
    if (std::string(scheme) != "x-signature") CHECK(bad_signature.substr(0, 3) == "v1,");
  }
}

TEST_CASE("resign makes recorded Standard Webhooks and Svix headers again at a new time", "[delivery][signing]") {
  for (const std::string scheme : {"standard", "svix"}) {
    INFO(scheme);
    const std::string prefix = scheme == "svix" ? "svix-" : "webhook-";
    Signing signing;
    signing.scheme = scheme;
    signing.secrets = {k_secret};
    Headers recorded = {{"Content-Type", "application/json"}};
    sign(recorded, signing, k_id, 1000, k_body, false);  // signed long ago
    REQUIRE(signed_timestamp(recorded) == 1000);
    Headers again = recorded;
    REQUIRE(resign(again, {k_secret}, k_timestamp, k_body, false));
    REQUIRE(again.size() == recorded.size());
    CHECK(header(again, "Content-Type") == "application/json");
    CHECK(header(again, prefix + "id") == k_id);
    CHECK(header(again, prefix + "timestamp") == std::to_string(k_timestamp));
    CHECK(header(again, prefix + "signature") == k_expected);
    CHECK(signed_timestamp(again) == k_timestamp);
    // A bad_signature delivery stays bad.
    Headers bad = recorded;
    REQUIRE(resign(bad, {k_secret}, k_timestamp, k_body, true));
    CHECK(header(bad, prefix + "signature") != k_expected);
  }
  // X-Signature has no timestamp: nothing to do.
  Headers x = {{"X-Signature", "abc"}};
  CHECK_FALSE(resign(x, {k_secret}, k_timestamp, k_body, false));
  CHECK(header(x, "X-Signature") == "abc");
  CHECK_FALSE(signed_timestamp(x));
}
