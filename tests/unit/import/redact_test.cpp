// --redact: synthetic values of the same shape, the same for the same input.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "import/redact.hpp"

using callhook::import::Redactor;

namespace {

bool same_shape(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto digit = [](char c) { return c >= '0' && c <= '9'; };
    const auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
    const auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
    if (digit(a[i]) != digit(b[i]) || upper(a[i]) != upper(b[i]) || lower(a[i]) != lower(b[i])) return false;
    if (!digit(a[i]) && !upper(a[i]) && !lower(a[i]) && a[i] != b[i]) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("phone numbers, emails, names and transcripts are replaced, keeping their shape") {
  const Redactor r;
  const std::string body =
      R"({"type":"call.end","from":"+61412345678","callerName":"Ada Lovelace","email":"ada@example.com",)"
      R"("transcript":"Hi, it's Ada, call me on 0412 345 678.","callId":"c-123","to":"+61299990000"})";
  const std::string out = r.body("application/json", body);
  REQUIRE(out.size() == body.size());
  const auto in_json = nlohmann::json::parse(body);
  const auto out_json = nlohmann::json::parse(out);  // still JSON
  for (const char* key : {"from", "callerName", "email", "transcript", "to"}) {
    INFO(key);
    CHECK(out_json[key] != in_json[key]);
    CHECK(same_shape(in_json[key], out_json[key]));
  }
  CHECK(out_json["type"] == "call.end");  // not personal
  CHECK(out_json["callId"] == "c-123");
  CHECK(out_json["from"].get<std::string>().starts_with("+61"));  // the country stays
  CHECK(out_json["email"].get<std::string>().ends_with(".com"));
  CHECK(out.find("Lovelace") == std::string::npos);
}

TEST_CASE("the same value gives the same fake, in any body and under any key, and a key changes them all") {
  const Redactor r;
  const std::string a = r.body("application/json", R"({"from":"+14155550123"})");
  const std::string b = r.body("application/json", R"({"data":{"userNumber":"+14155550123","x":[1]}})");
  const auto fake = nlohmann::json::parse(a)["from"].get<std::string>();
  CHECK(fake != "+14155550123");
  CHECK(nlohmann::json::parse(b)["data"]["userNumber"] == fake);
  CHECK(nlohmann::json::parse(Redactor("other").body("application/json", R"({"from":"+14155550123"})"))["from"] !=
        fake);
}

TEST_CASE("form bodies and queries: values redacted, %XX escapes and keys kept") {
  const Redactor r;
  const std::string form = "From=%2B61412345678&CallStatus=ringing&CallerName=Ada+Lovelace";
  const std::string out = r.body("application/x-www-form-urlencoded", form);
  CHECK(out.size() == form.size());
  CHECK(out.starts_with("From=%2B61"));
  CHECK(out.find("&CallStatus=ringing&CallerName=") != std::string::npos);
  CHECK(out.find("Lovelace") == std::string::npos);
  CHECK(r.path("/hooks?From=%2B61412345678") == "/hooks?" + out.substr(0, out.find('&')));
  CHECK(r.path("/hooks") == "/hooks");
  CHECK(r.body("text/plain", "Ada called") == "Ada called");  // neither JSON nor a form: as it is
}

TEST_CASE("escapes and non-ASCII text stay valid JSON") {
  const Redactor r;
  const std::string body = R"({"text":"Grüße \"Zoë\" \u00e9\n"})";
  const std::string out = r.body("application/json", body);
  const auto parsed = nlohmann::json::parse(out);
  CHECK(parsed["text"] != nlohmann::json::parse(body)["text"]);
  CHECK(out.find("\\\"") != std::string::npos);
  CHECK(out.find("\\n") != std::string::npos);
}
