// Captured requests as raw script steps.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "import/script_writer.hpp"
#include "vendors/vendor.hpp"

using namespace callhook::import;

namespace {

Captured capture(std::int64_t time_ms, std::string body, callhook::util::Headers headers = {}) {
  Captured c;
  c.time_ms = time_ms;
  c.path = "/hooks?x=1";
  c.body = std::move(body);
  c.headers = std::move(headers);
  return c;
}

}  // namespace

TEST_CASE("headers worth keeping: not the connection's, the proxy's or secrets") {
  for (const char* dropped : {"Host", "content-length", "Connection", "Transfer-Encoding", "X-Forwarded-For",
                              "x-forwarded-proto", "Via", "Forwarded", "Accept-Encoding", "Authorization", "Cookie",
                              "svix-signature", "webhook-signature", "X-Twilio-Signature", "svix-id", ":authority"})
    CHECK_FALSE(keep_header(dropped));
  for (const char* kept : {"Content-Type", "User-Agent", "X-Request-Id", "Accept"}) CHECK(keep_header(kept));
}

TEST_CASE("each capture is one raw step at its time after the first, named as the sink names it") {
  const auto* voiceflow = callhook::vendors::find_vendor("voiceflow");
  REQUIRE(voiceflow);
  const std::vector<Captured> captured = {
      capture(1752666057120, R"({"type":"runtime.session.start","data":{"sessionID":"s1"}})",
              {{"Content-Type", "application/json"}, {"svix-id", "msg_1"}, {"Host", "h"}}),
      capture(1752666058000, std::string("\xff\xfe", 2), {{"Content-Type", "application/octet-stream"}}),
  };
  WriteSummary summary;
  const auto doc = write_scenario(captured, *voiceflow, {"incident", "http://127.0.0.1:3000", nullptr}, summary);
  CHECK(doc["name"] == "incident");
  CHECK(doc["epoch"] == "2025-07-16T11:40:57.120Z");
  CHECK(doc["streams"][0]["vendor"] == "voiceflow");
  const auto& script = doc["script"];
  REQUIRE(script.size() == 2);
  CHECK(script[0]["at_ms"] == 0);
  CHECK(script[0]["event"] == "runtime.session.start");
  CHECK(script[0]["call"] == "s1");
  CHECK(script[0]["id"] == "msg_1");
  CHECK(script[0]["path"] == "/hooks?x=1");
  CHECK(script[0]["headers"].size() == 1);  // Content-Type; svix-id became "id", Host dropped
  CHECK(script[0]["body"] == captured[0].body);
  CHECK(script[1]["at_ms"] == 880);
  CHECK(script[1]["event"] == "request");  // a body the vendor does not recognise, kept raw
  CHECK(script[1]["body_base64"] == "//4=");
  CHECK_FALSE(script[1].contains("body"));
  CHECK(summary.steps == 2);
  CHECK(summary.unrecognised == 1);
}
