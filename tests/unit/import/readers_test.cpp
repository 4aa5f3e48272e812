// The capture readers: what each format yields, the order, and the file and
// JSON pointer a bad input's message names.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "import/readers.hpp"
#include "import/time_text.hpp"

using namespace callhook::import;

namespace {

// The ImportError message `read` throws, "" when it throws none.
template <class F>
std::string error_of(F read) {
  try {
    read();
  } catch (const ImportError& e) {
    return e.what();
  }
  return "";
}

const std::string k_har = R"({"log": {"version": "1.2", "entries": [
  {"startedDateTime": "2025-07-16T13:40:58.500+02:00",
   "request": {"method": "POST", "url": "https://h.example.com/hooks?env=prod",
               "headers": [{"name": "Content-Type", "value": "application/json"}, {"name": "svix-id", "value": "msg_2"}],
               "postData": {"mimeType": "application/json", "text": "{\"type\":\"runtime.call.end\"}"}}},
  {"startedDateTime": "2025-07-16T11:40:57.000Z",
   "request": {"method": "PUT", "url": "http://h.example.com/bin", "headers": [],
               "postData": {"mimeType": "application/octet-stream", "text": "AAEC/w==", "encoding": "base64"}}}
]}})";

}  // namespace

TEST_CASE("times: ISO 8601 with a zone, and unix seconds or ms") {
  CHECK(parse_time_text("2025-07-16T11:40:57Z") == 1752666057000);
  CHECK(parse_time_text("2025-07-16T11:40:57.123Z") == 1752666057123);
  CHECK(parse_time_text("2025-07-16T13:40:57.1+02:00") == 1752666057100);
  CHECK(parse_time_text("2025-07-16 06:40:57-0500") == 1752666057000);
  CHECK_FALSE(parse_time_text("2025-07-16T11:40:57"));  // no zone: ambiguous
  CHECK_FALSE(parse_time_text("2025-13-16T11:40:57Z"));
  CHECK_FALSE(parse_time_text("yesterday"));
  CHECK(parse_time_value(callhook::util::Json(1752666057)) == 1752666057000);
  CHECK(parse_time_value(callhook::util::Json(1752666057123)) == 1752666057123);
  CHECK_FALSE(parse_time_value(callhook::util::Json(true)));
}

TEST_CASE("HAR entries: method, path and query, headers, text and base64 bodies, times") {
  REQUIRE(detect_format("h.har", k_har, false) == Format::Har);
  const auto captured = read_har("h.har", k_har);
  REQUIRE(captured.size() == 2);
  CHECK(captured[0].time_ms == 1752666058500);
  CHECK(captured[0].method == "POST");
  CHECK(captured[0].path == "/hooks?env=prod");
  CHECK(captured[0].body == R"({"type":"runtime.call.end"})");
  REQUIRE(captured[0].headers.size() == 2);
  CHECK(captured[0].headers[1].value == "msg_2");
  CHECK(captured[1].method == "PUT");
  CHECK(captured[1].body == std::string("\x00\x01\x02\xff", 4));
  CHECK(captured[0].where == "h.har: /log/entries/0");
}

TEST_CASE("HAR problems name the file and the entry's pointer") {
  CHECK(error_of([] { read_har("h.har", R"({"log": {}})"); }) == "h.har: /log/entries: is required");
  CHECK(
      error_of([] {
        read_har(
            "h.har",
            R"({"log": {"entries": [{"startedDateTime": "2025-07-16T11:40:57Z", "request": {"method": "POST", "url": 3}}]}})");
      }).starts_with("h.har: /log/entries/0/request/url: "));
  CHECK(
      error_of([] {
        read_har(
            "h.har",
            R"({"log": {"entries": [{"startedDateTime": "soon", "request": {"method": "POST", "url": "http://a/"}}]}})");
      }).starts_with("h.har: /log/entries/0/startedDateTime: expected an ISO 8601 time"));
  CHECK(error_of([] { read_har("h.har", R"({"log": {"entries": [}})"); }).starts_with("h.har: "));
}

TEST_CASE("sink records: arrival order by seq, query joined, paths encoded again, base64 bodies") {
  const std::string text =
      R"({"seq":2,"received_at":"2025-07-16T11:40:57.000Z","method":"POST","path":"/a b","query":"x=1","headers":{"Content-Type":"text/plain"},"body":"second"})"
      "\n"
      R"({"seq":1,"received_at":"2025-07-16T11:40:57.000Z","method":"POST","path":"/hooks","query":"","headers":{},"body":"\ufffd","body_base64":"/w=="})"
      "\n";
  REQUIRE(detect_format("r.jsonl", text, false) == Format::Record);
  const auto captured = read_record("r.jsonl", text);
  REQUIRE(captured.size() == 2);
  CHECK(captured[0].body == "\xff");
  CHECK(captured[0].path == "/hooks");
  CHECK(captured[1].path == "/a%20b?x=1");
  CHECK(captured[1].body == "second");
  CHECK(error_of([] {
          read_record("r.jsonl", "{\"received_at\":\"2025-07-16T11:40:57Z\",\"method\":\"POST\",\"path\":\"/\"}\n");
        }) == "r.jsonl:1: /body: is required");
}

TEST_CASE("generic JSON lines follow --map's pointers") {
  const FieldMap map =
      parse_field_map(R"({"time":"/t","body":"/req/body","headers":"/req/h","method":"/m","path":"/p"})");
  const std::string text = R"({"t":1752666057.5,"m":"PUT","p":"/x?y=1","req":{"h":{"X-A":"1"},"body":{"b":2,"a":[1]}}})"
                           "\n\n"
                           R"({"t":"2025-07-16T11:40:58Z","req":{"body":"raw text"}})"
                           "\n";
  REQUIRE(detect_format("l.jsonl", text, true) == Format::Lines);
  const auto captured = read_lines("l.jsonl", text, map);
  REQUIRE(captured.size() == 2);
  CHECK(captured[0].time_ms == 1752666057500);
  CHECK(captured[0].method == "PUT");
  CHECK(captured[0].path == "/x?y=1");
  CHECK(captured[0].body == R"({"b":2,"a":[1]})");  // keys in the order written
  CHECK(captured[0].headers.size() == 2);           // X-A, and the JSON body's Content-Type
  CHECK(captured[1].body == "raw text");
  CHECK(captured[1].method == "POST");
  CHECK(error_of([&map] { read_lines("l.jsonl", "{\"t\":1,\"req\":{}}\n{\"t\":1}\n", map); }) ==
        "l.jsonl:1: /req/body: is required");
  CHECK(error_of([&map] {
          read_lines("l.jsonl", "{\"t\":\"x\",\"req\":{\"body\":\"\"}}\n", map);
        }).starts_with("l.jsonl:1: /t: expected a time"));
}

TEST_CASE("--map problems") {
  CHECK(error_of([] { parse_field_map(R"({"time":"/t"})"); }) == "--map: /body: is required");
  CHECK(
      error_of([] { parse_field_map(R"({"body":"payload"})"); }).starts_with("--map: /body: expected a JSON pointer"));
  CHECK(error_of([] { parse_field_map(R"({"body":"/b","colour":"/c"})"); }).starts_with("--map: /colour: "));
  CHECK(error_of([] { parse_field_map("{"); }).starts_with("--map: "));
}

TEST_CASE("Svix attempt listings: each attempt's payload at its time, the message id kept") {
  const std::string listing = R"({"data": [
    {"id": "atmpt_2", "msgId": "msg_B", "timestamp": "2025-07-16T11:41:00Z", "url": "https://r.example.com/hooks",
     "msg": {"eventType": "runtime.call.end", "payload": {"type": "runtime.call.end", "data": {}}}},
    {"id": "atmpt_1", "msgId": "msg_A", "timestamp": "2025-07-16T11:40:57Z", "url": "https://r.example.com/hooks",
     "msg": {"eventType": "runtime.call.start", "payload": {"type": "runtime.call.start", "data": {}}}}
  ], "done": true})";
  REQUIRE(detect_format("s.json", listing, false) == Format::Svix);
  const auto captured = read_svix("s.json", listing);
  REQUIRE(captured.size() == 2);
  CHECK(captured[1].time_ms == 1752666057000);
  CHECK(captured[1].body == R"({"type":"runtime.call.start","data":{}})");
  CHECK(captured[1].event == "runtime.call.start");
  CHECK(captured[1].path == "/hooks");
  REQUIRE(captured[1].headers.size() == 2);
  CHECK(captured[1].headers[1].name == "svix-id");
  CHECK(captured[1].headers[1].value == "msg_A");
  CHECK(error_of([] { read_svix("s.json", R"({"data": [{"msg": {"payload": {}}}]})"); }) ==
        "s.json:1: /data/0/timestamp: is required");
}

TEST_CASE("a file of no known format says how to import it") {
  CHECK(error_of([] { detect_format("x.jsonl", "{\"a\":1}\n", false); }).find("--map") != std::string::npos);
  CHECK(error_of([] { detect_format("x.jsonl", "\n \n", false); }) == "x.jsonl: the file is empty");
}
