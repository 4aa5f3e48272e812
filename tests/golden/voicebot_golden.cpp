// Exotel VoiceBot: document 001 lost its underscores and punctuation (no
// colons, no dots, "_" became " "). Its examples are read back with a small
// tolerant parser: keys have their spaces turned back into underscores,
// "0 85" after a key is the number 0.85, and values keep their mangled text.
// Formats the mangling destroyed are restored with the rules of the
// vendor-docs README ("2025 07 16t11 40 57 000z" is 2025-07-16T11:40:57.000Z).
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "util/json_cursor.hpp"
#include "vendors/voicebot.hpp"

namespace {

using golden::OJson;

class LossyParser {
 public:
  explicit LossyParser(std::string_view text) : m_text(text) {}

  OJson value() {
    skip();
    if (peek() == '\\') ++m_i;  // "\[" in the copied text
    const char c = peek();
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return OJson(string());
    if (m_text.substr(m_i, 4) == "null") {
      m_i += 4;
      return nullptr;
    }
    if (m_text.substr(m_i, 4) == "true") {
      m_i += 4;
      return true;
    }
    if (m_text.substr(m_i, 5) == "false") {
      m_i += 5;
      return false;
    }
    return number();
  }

 private:
  char peek() const { return m_i < m_text.size() ? m_text[m_i] : '\0'; }
  void skip() {
    while (m_i < m_text.size() && (m_text[m_i] == ' ' || m_text[m_i] == '\n' || m_text[m_i] == ',')) ++m_i;
  }

  std::string string() {
    ++m_i;
    const auto end = m_text.find('"', m_i);
    std::string out(m_text.substr(m_i, end - m_i));
    m_i = end + 1;
    return out;
  }

  OJson object() {
    ++m_i;
    OJson out = OJson::object();
    for (skip(); peek() != '}'; skip()) {
      std::string key = string();
      for (auto& ch : key)
        if (ch == ' ') ch = '_';
      out[key] = value();
    }
    ++m_i;
    return out;
  }

  OJson array() {
    ++m_i;
    OJson out = OJson::array();
    for (skip(); peek() != ']'; skip()) out.push_back(value());
    ++m_i;
    return out;
  }

  // Digits, and a second run of digits after one space is the fraction that
  // lost its dot.
  OJson number() {
    const std::size_t start = m_i;
    while (std::isdigit(static_cast<unsigned char>(peek()))) ++m_i;
    std::string whole(m_text.substr(start, m_i - start));
    if (peek() == ' ' && m_i + 1 < m_text.size() && std::isdigit(static_cast<unsigned char>(m_text[m_i + 1]))) {
      const std::size_t fraction = ++m_i;
      while (std::isdigit(static_cast<unsigned char>(peek()))) ++m_i;
      return std::stod(whole + "." + std::string(m_text.substr(fraction, m_i - fraction)));
    }
    return std::stoll(whole);
  }

  std::string_view m_text;
  std::size_t m_i = 0;
};

// The example that follows `anchor` in the document.
OJson example_after(const std::string& doc, const std::string& anchor) {
  const auto at = doc.find(anchor);
  REQUIRE(at != std::string::npos);
  const auto brace = doc.find('{', at);
  return LossyParser(std::string_view(doc).substr(brace)).value();
}

// README rule: "2025 07 16t11 40 57 000z" -> "2025-07-16T11:40:57.000Z".
std::string restore_time(const std::string& mangled) {
  std::smatch m;
  REQUIRE(std::regex_match(mangled, m, std::regex(R"((\d{4}) (\d\d) (\d\d)t(\d\d) (\d\d) (\d\d)(?: (\d+))?z)")));
  std::string out =
      m[1].str() + "-" + m[2].str() + "-" + m[3].str() + "T" + m[4].str() + ":" + m[5].str() + ":" + m[6].str();
  if (m[7].matched) out += "." + m[7].str();
  return out + "Z";
}

// "https //api example com/webhooks/session end" -> "https://api.example.com/webhooks/session_end".
std::string restore_url(const std::string& mangled) {
  std::string rest = mangled.substr(std::string("https //").size());
  const auto slash = rest.find('/');
  std::string host = rest.substr(0, slash), path = rest.substr(slash);
  for (auto& c : host)
    if (c == ' ') c = '.';
  for (auto& c : path)
    if (c == ' ') c = '_';
  return "https://" + host + path;
}

void restore_urls(OJson& node) {
  if (node.is_object()) {
    for (auto& item : node.items()) {
      if (item.key() == "url" && item.value().is_string())
        item.value() = restore_url(item.value().get<std::string>());
      else
        restore_urls(item.value());
    }
  }
}

// "session start | session in progress | session end" -> the snake_case choices.
std::set<std::string> choices(const OJson& value) {
  std::set<std::string> out;
  std::string text = value.get<std::string>() + " | ";
  for (std::size_t at = 0, bar; (bar = text.find(" | ", at)) != std::string::npos; at = bar + 3) {
    std::string choice = text.substr(at, bar - at);
    for (auto& c : choice)
      if (c == ' ') c = '_';
    out.insert(choice);
  }
  return out;
}

struct Doc {
  std::string text;
  OJson common, event, insight, transcript, start_answer, transfer_answer, error_answer;
};

const Doc& voicebot_doc() {
  static const Doc doc = [] {
    Doc d;
    d.text = golden::read_doc("001_f54dd64cf5d2b924.txt");
    d.common = example_after(d.text, "all webhook requests follow the same structure");
    d.event = example_after(d.text, "event object");
    d.insight = example_after(d.text, "insight event data applies to");
    d.transcript = example_after(d.text, "transcript event data");
    d.start_answer = example_after(d.text, "session start webhook when triggered");
    d.transfer_answer = example_after(d.text, "pre agent transfer webhook when triggered");
    d.error_answer = example_after(d.text, "error response (all webhooks)");
    return d;
  }();
  return doc;
}

// A session to its end, its handshakes answered with the documents' answers.
vtest::Run run(const callhook::population::Call& call, const std::string& config_text, const std::string& start_answer,
               const std::string& transfer_answer) {
  return vtest::run(*vtest::configured(callhook::vendors::voicebot_info(), config_text), call,
                    [&](const callhook::vendors::Delivery& d) {
                      return vtest::ok(d.event == "session_start" ? start_answer : transfer_answer);
                    });
}

const char* k_uuid4 = "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}";

}  // namespace

TEST_CASE("voicebot examples are read back from the mangled document", "[golden][voicebot]") {
  const Doc& doc = voicebot_doc();
  CHECK(doc.common.size() == 16);
  CHECK(doc.common.contains("session_id"));
  CHECK(doc.common["metadata"].contains("stream_sid"));
  CHECK(doc.insight["confidence"] == 0.85);
  CHECK(doc.transcript["transcripts"][0]["transcript_segments"][0].contains("start_timestamp"));
  CHECK(doc.start_answer["response"]["data"]["webhook_config"]["insights_events"]["trigger_interval_sec"] == 30);
  CHECK(restore_time("2025 07 16t11 40 57 000z") == "2025-07-16T11:40:57.000Z");
}

TEST_CASE("voicebot bodies follow the common request format", "[golden][voicebot]") {
  const Doc& doc = voicebot_doc();
  const OJson& common = doc.common;
  const std::set<std::string> states = choices(common["session_state"]);
  const std::set<std::string> reasons = choices(common["trigger_reason"]);
  const std::set<std::string> networks = choices(common["network_type"]);
  const std::set<std::string> event_types = choices(doc.event["event_type"]);
  const std::set<std::string> insight_status = choices(doc.insight["status"]);
  const std::set<std::string> transcript_status = choices(doc.transcript["transcripts"][0]["status"]);
  const std::string start_shape = golden::digit_shape(restore_time(common["start_time"]));
  const std::string insight_shape = golden::digit_shape(restore_time(doc.insight["timestamp"]));
  const std::string segment_shape =
      golden::digit_shape(restore_time(doc.transcript["transcripts"][0]["transcript_segments"][0]["start_timestamp"]));
  // The document's call sid: "ca" + 32 characters ("CA" lower-cased by the copy).
  const std::string doc_sid = common["external_id"];
  REQUIRE(doc_sid.size() == 34);
  REQUIRE(doc_sid.substr(0, 2) == "ca");

  auto call = golden::sample_call(11);
  call.wants_agent = true;
  call.custom_parameters = {{"key1", "value1"}};
  const vtest::Run r = run(call, R"({"insights": {"trigger_interval_sec": 3}})", "", "");
  std::set<std::string> seen_events, seen_reasons;
  for (const auto& d : r.all) {
    INFO(d.event << " " << d.body);
    seen_events.insert(d.event);
    const OJson body = OJson::parse(d.body);
    const bool ended = body["session_state"] == "session_end";
    CHECK(golden::differences(common, body, {"/end_time", "/custom_parameters", "/events"}) ==
          std::vector<std::string>{});
    CHECK(states.count(body["session_state"]) == 1);
    CHECK(reasons.count(body["trigger_reason"]) == 1);
    seen_reasons.insert(body["trigger_reason"]);
    CHECK(networks.count(body["network_type"]) == 1);
    CHECK(golden::digit_shape(body["start_time"]) == start_shape);
    CHECK((ended ? golden::digit_shape(body["end_time"]) == start_shape : body["end_time"].is_null()));
    for (const char* id : {"session_id", "conversation_id", "bot_id"})
      CHECK(golden::matches(body[id].get<std::string>(), k_uuid4));
    CHECK(golden::matches(body["external_id"].get<std::string>(), "CA[0-9a-f]{32}"));
    CHECK(body["metadata"]["call_sid"] == body["external_id"]);
    CHECK(body["custom_parameters"] == OJson({{"key1", "value1"}}));
    REQUIRE(body["events"].is_array());
    for (const auto& event : body["events"]) {
      CHECK(golden::differences(doc.event, event, {"/event_data"}) == std::vector<std::string>{});
      CHECK(event_types.count(event["event_type"]) == 1);
      CHECK(golden::matches(event["event_id"].get<std::string>(), "evt_[0-9]+"));
      if (event["event_type"] == "transcript") {
        CHECK(golden::differences(doc.transcript, event["event_data"]) == std::vector<std::string>{});
        const auto& t = event["event_data"]["transcripts"];
        REQUIRE(t.size() == 1);  // at most one sequence per webhook
        CHECK(transcript_status.count(t[0]["status"]) == 1);
        for (const auto& s : t[0]["transcript_segments"]) {
          CHECK(golden::digit_shape(s["start_timestamp"]) == segment_shape);
          CHECK(golden::digit_shape(s["end_timestamp"]) == segment_shape);
          CHECK((s["speaker"] == "assistant" || s["speaker"] == "user"));
        }
      } else {
        CHECK(golden::differences(doc.insight, event["event_data"]) == std::vector<std::string>{});
        CHECK(insight_status.count(event["event_data"]["status"]) == 1);
        CHECK(golden::digit_shape(event["event_data"]["timestamp"]) == insight_shape);
      }
    }
    if (d.event == "session_end") CHECK(body["events"].empty());  // no transcripts at the end
  }
  // Every webhook type and every documented trigger reason came out.
  CHECK(seen_events == std::set<std::string>{"session_start", "session_end", "pre_agent_transfer", "insights_events",
                                             "transcript_events"});
  CHECK(seen_reasons == reasons);
}

TEST_CASE("voicebot accepts the documented session_start answer", "[golden][voicebot]") {
  OJson answer = voicebot_doc().start_answer;
  restore_urls(answer);
  callhook::util::Problems problems;
  const auto overrides = callhook::vendors::parse_session_start_answer(answer.dump(), problems);
  CHECK(problems.list().empty());
  CHECK(overrides.greeting == std::optional<std::string>("dynamic greeting message for the user"));
  CHECK(overrides.urls.at("session_end") == "https://api.example.com/webhooks/session_end");
  CHECK(overrides.trigger_interval_sec == std::optional<std::int64_t>(30));
  CHECK(overrides.session_constants.size() == 1);

  // Applied to a session: later webhooks go to the answer's URLs.
  auto call = golden::sample_call(4);
  call.wants_agent = true;
  const vtest::Run r = run(call, "{}", answer.dump(), voicebot_doc().transfer_answer.dump());
  CHECK(r.findings.empty());
  for (const auto& d : r.all) {
    INFO(d.event);
    if (d.event == "session_start") CHECK(d.url == "http://127.0.0.1:3000/hooks");
    if (d.event != "session_start")
      CHECK(d.url == answer["response"]["data"]["webhook_config"][d.event]["url"].get<std::string>());
  }
}

TEST_CASE("voicebot reads the documented transfer and error answers", "[golden][voicebot]") {
  callhook::util::Problems problems;
  CHECK(callhook::vendors::parse_agent_transfer_answer(voicebot_doc().transfer_answer.dump(), problems) ==
        std::optional<std::string>("connecting you to a support agent"));
  CHECK(problems.list().empty());

  callhook::util::Problems error_problems;
  callhook::vendors::parse_session_start_answer(voicebot_doc().error_answer.dump(), error_problems);
  REQUIRE(error_problems.size() == 1);
  CHECK(error_problems.list()[0].pointer == "/response/error_data");
  CHECK(error_problems.list()[0].message ==
        "the receiver answered with the documented error shape (http_code 500, error_code \"cl52894\": internal "
        "server error)");
}
