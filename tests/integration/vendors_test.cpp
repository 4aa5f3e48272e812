// Exotel VoiceBot, Smallest.ai Atoms, Fone Dynamics and VoiceKit: the real
// binary against a real receiver. Every request is judged as a receiver
// would judge it, against the vendors' documents and docs/vendors.md, without
// the vendor code.
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "harness.hpp"
#include "util/url.hpp"
#include "vendors/vendor.hpp"

using callhook::testing::read_json;
using callhook::testing::Received;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;
using OJ = nlohmann::ordered_json;

namespace {

// The scenarios' epoch (docs/scenario.md default, and what the shipped files use).
constexpr std::int64_t k_epoch_ms = 1752666057000;  // 2025-07-16T11:40:57Z

// ---------------------------------------------------------------- formats

bool matches(const std::string& text, const std::string& pattern) {
  return std::regex_match(text, std::regex(pattern));
}

bool is_uuid_v4(const std::string& s) {
  return matches(s, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
}

bool is_e164(const std::string& s) { return matches(s, R"(\+[1-9][0-9]{6,14})"); }

// "YYYY-MM-DDTHH:MM:SS" with `digits` fractional digits (0: none) and "Z".
bool is_iso(const std::string& s, int digits) {
  std::string pattern = R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})";
  if (digits > 0) pattern += R"(\.\d{)" + std::to_string(digits) + "}";
  return matches(s, pattern + "Z");
}

// Microseconds since the Unix epoch of an ISO 8601 UTC time (either form
// above, or Fone Dynamics' "yyyy-MM-dd HH:mm:ss").
std::int64_t iso_us(const std::string& s) {
  std::tm tm{};
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  REQUIRE(std::sscanf(s.c_str(), "%4d-%2d-%2d%*c%2d:%2d:%2d", &year, &month, &day, &hour, &minute, &second) == 6);
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  std::int64_t us = static_cast<std::int64_t>(timegm(&tm)) * 1000000;
  const auto dot = s.find('.');
  if (dot != std::string::npos) {
    std::string frac = s.substr(dot + 1, s.size() - dot - 2);
    frac = (frac + "000000").substr(0, 6);
    us += std::stoll(frac);
  }
  return us;
}

std::int64_t iso_ms(const std::string& s) { return iso_us(s) / 1000; }

std::vector<std::string> keys_of(const OJ& object) {
  std::vector<std::string> keys;
  for (const auto& item : object.items()) keys.push_back(item.key());
  return keys;
}

json unordered(const OJ& value) { return json::parse(value.dump()); }

std::string hmac_sha256_hex(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(body.data()),
       body.size(), digest, &length);
  static const char* k_hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += k_hex[digest[i] >> 4];
    out += k_hex[digest[i] & 0xf];
  }
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

// A form or query string as a receiver reads it, on the test's thread (a
// receiver's handler, on a server thread, calls util::form_params without
// assertions), also checking that the encoding is the documented one (only unreserved characters and %XX, every pair
// with '=').
Params parse_form(const std::string& raw) {
  INFO(raw);
  REQUIRE(matches(raw, "([A-Za-z0-9._~-]|%[0-9A-F]{2}|=|&)*"));
  std::stringstream in(raw);
  for (std::string pair; std::getline(in, pair, '&');) REQUIRE(pair.find('=') != std::string::npos);
  return callhook::util::form_params(raw);
}

std::optional<std::string> param(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return std::nullopt;
}

// Fetches an absolute http URL; status -1 when it could not be fetched.
struct Download {
  int status = -1;
  std::string content_type;
  std::string body;
};

Download download(const std::string& url) {
  Download out;
  const std::smatch parts = [&] {
    std::smatch m;
    std::regex_match(url, m, std::regex(R"((https?://[^/]+)(/.*))"));
    return m;
  }();
  if (parts.empty()) return out;
  httplib::Client client(parts[1].str());
  client.set_read_timeout(5, 0);
  const auto res = client.Get(parts[2].str().c_str());
  if (!res) return out;
  out.status = res->status;
  out.content_type = res->get_header_value("Content-Type");
  out.body = res->body;
  return out;
}

// A playable file of that type: the magic bytes and, for WAV, the RIFF size.
void check_audio(const std::string& bytes, const std::string& type) {
  if (type == "ogg") {
    REQUIRE(bytes.size() >= 4);
    REQUIRE(bytes.substr(0, 4) == "OggS");
  } else {
    REQUIRE(type == "wav");
    REQUIRE(bytes.size() >= 44);
    REQUIRE(bytes.substr(0, 4) == "RIFF");
    REQUIRE(bytes.substr(8, 4) == "WAVE");
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    const std::uint32_t riff = p[4] | (p[5] << 8) | (p[6] << 16) | (static_cast<std::uint32_t>(p[7]) << 24);
    REQUIRE(riff == bytes.size() - 8);
  }
}

// ---------------------------------------------------------------- running

struct RunOutcome {
  callhook::testing::ProcessResult result;
  json report;
  std::vector<Received> received;
};

RunOutcome run_scenario(const Receiver& receiver, const TempDir& dir, const std::string& scenario,
                        const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run",        scenario, "--target", receiver.url() + "/hooks",
                                   "--speed",    "max",    "--report", dir.path("report.json"),
                                   "--progress", "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunOutcome out;
  out.result = run_callhook(args, 60);
  out.received = receiver.received();
  std::ifstream exists(dir.path("report.json"));
  if (exists) out.report = read_json(dir.path("report.json"));
  return out;
}

// The scenarios' calls start every 5 s from the epoch (rate_per_s 0.2).
std::vector<std::int64_t> expected_starts_ms(int count) {
  std::vector<std::int64_t> starts;
  for (int i = 0; i < count; ++i) starts.push_back(k_epoch_ms + 5000 * i);
  return starts;
}

void check_report_matches(const RunOutcome& run) {
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 0);
  REQUIRE(run.report.is_object());
  const json& totals = run.report.at("totals");
  REQUIRE(totals.at("delivered").get<std::size_t>() == run.received.size());
  REQUIRE(totals.at("planned") == totals.at("delivered"));
  REQUIRE(totals.at("failed") == 0);
  REQUIRE(run.report.at("findings").empty());
}

// ---------------------------------------------------------------- VoiceBot

const std::vector<std::string> k_voicebot_fields = {
    "session_id",    "conversation_id", "start_time",        "end_time",     "landing_number", "external_id",
    "session_state", "trigger_reason",  "contact_uri",       "network_type", "account_id",     "bot_id",
    "bot_name",      "metadata",        "custom_parameters", "events"};

const std::map<std::string, std::string> k_voicebot_state_of = {{"start", "session_start"},
                                                                {"turn_progress", "session_in_progress"},
                                                                {"turn_complete", "session_in_progress"},
                                                                {"timer", "session_in_progress"},
                                                                {"pre_agent_transfer", "session_in_progress"},
                                                                {"end", "session_end"}};

const std::vector<std::string> k_insight_types = {"sentiment", "summary", "intent", "entity", "outcome"};

// One body of the common request format, on its own.
void check_voicebot_body(const OJ& body) {
  INFO(body.dump());
  REQUIRE(body.is_object());
  REQUIRE(keys_of(body) == k_voicebot_fields);
  REQUIRE(is_uuid_v4(body["session_id"].get<std::string>()));
  REQUIRE(is_uuid_v4(body["conversation_id"].get<std::string>()));
  REQUIRE(body["session_id"] != body["conversation_id"]);
  REQUIRE(is_uuid_v4(body["bot_id"].get<std::string>()));
  REQUIRE(is_iso(body["start_time"].get<std::string>(), 3));
  const std::string reason = body["trigger_reason"];
  REQUIRE(k_voicebot_state_of.count(reason) == 1);
  REQUIRE(body["session_state"] == k_voicebot_state_of.at(reason));
  if (reason == "end") {
    REQUIRE(is_iso(body["end_time"].get<std::string>(), 3));
    REQUIRE(iso_ms(body["end_time"]) > iso_ms(body["start_time"]));
  } else {
    REQUIRE(body["end_time"].is_null());
  }
  REQUIRE(body["landing_number"].is_string());
  const std::string external_id = body["external_id"];
  REQUIRE(body["metadata"].is_object());
  REQUIRE(keys_of(body["metadata"]) == std::vector<std::string>{"call_sid", "stream_sid"});
  REQUIRE(body["metadata"]["call_sid"] == external_id);
  REQUIRE(body["metadata"]["stream_sid"] == "");
  const std::string network = body["network_type"];
  REQUIRE((network == "pstn" || network == "sip"));
  const std::string contact = body["contact_uri"];
  if (network == "pstn")
    REQUIRE(is_e164(contact));
  else
    REQUIRE(matches(contact, R"(sip:\+[0-9]+@.+)"));
  REQUIRE(body["account_id"].is_string());
  REQUIRE(body["bot_name"].is_string());
  REQUIRE(body["custom_parameters"].is_object());
  for (const auto& item : body["custom_parameters"].items()) REQUIRE(item.value().is_string());
  REQUIRE(body["custom_parameters"].size() <= 3);

  const OJ& events = body["events"];
  REQUIRE(events.is_array());
  if (reason == "start" || reason == "end" || reason == "pre_agent_transfer") REQUIRE(events.empty());
  if (reason == "turn_progress" || reason == "turn_complete") {
    REQUIRE(events.size() == 1);
    const OJ& event = events[0];
    REQUIRE(keys_of(event) == std::vector<std::string>{"event_type", "event_id", "event_data"});
    REQUIRE(event["event_type"] == "transcript");
    REQUIRE(matches(event["event_id"].get<std::string>(), "evt_[1-9][0-9]*"));
    REQUIRE(keys_of(event["event_data"]) == std::vector<std::string>{"transcripts"});
    const OJ& transcripts = event["event_data"]["transcripts"];
    REQUIRE(transcripts.size() == 1);  // at most one sequence per webhook
    const OJ& t = transcripts[0];
    REQUIRE(keys_of(t) == std::vector<std::string>{"sequence", "status", "transcript_segments"});
    REQUIRE(t["sequence"].is_number_integer());
    REQUIRE(t["sequence"].get<int>() >= 1);
    REQUIRE(t["status"] == (reason == "turn_progress" ? "inprogress" : "completed"));
    REQUIRE(!t["transcript_segments"].empty());
    for (const OJ& segment : t["transcript_segments"]) {
      REQUIRE(keys_of(segment) == std::vector<std::string>{"speaker", "text", "start_timestamp", "end_timestamp"});
      REQUIRE((segment["speaker"] == "assistant" || segment["speaker"] == "user"));
      REQUIRE(!segment["text"].get<std::string>().empty());
      REQUIRE(is_iso(segment["start_timestamp"].get<std::string>(), 6));
      REQUIRE(is_iso(segment["end_timestamp"].get<std::string>(), 6));
      REQUIRE(iso_us(segment["start_timestamp"]) <= iso_us(segment["end_timestamp"]));
      REQUIRE(iso_us(segment["start_timestamp"]) >= iso_us(body["start_time"]));
    }
  }
  if (reason == "timer") {
    REQUIRE(!events.empty());
    for (const OJ& event : events) {
      REQUIRE(keys_of(event) == std::vector<std::string>{"event_type", "event_id", "event_data"});
      REQUIRE(std::count(k_insight_types.begin(), k_insight_types.end(), event["event_type"].get<std::string>()) == 1);
      REQUIRE(matches(event["event_id"].get<std::string>(), "evt_[1-9][0-9]*"));
      const OJ& data = event["event_data"];
      REQUIRE(keys_of(data) ==
              std::vector<std::string>{"value", "confidence", "status", "timestamp", "score", "reason"});
      REQUIRE(data["value"].is_string());
      REQUIRE(data["confidence"].is_number());
      REQUIRE(data["confidence"].get<double>() >= 0.60);
      REQUIRE(data["confidence"].get<double>() <= 0.99);
      REQUIRE((data["status"] == "changed" || data["status"] == "unchanged"));
      REQUIRE(is_iso(data["timestamp"].get<std::string>(), 0));
      REQUIRE(data["score"].is_number_integer());
      REQUIRE(data["score"].get<int>() >= 0);
      REQUIRE(data["score"].get<int>() <= 100);
      REQUIRE(data["reason"].is_string());
      const std::string type = event["event_type"];
      const std::string value = data["value"];
      if (type == "sentiment") REQUIRE((value == "positive" || value == "neutral" || value == "negative"));
      if (type == "entity") REQUIRE(value.find(contact) != std::string::npos);
      if (type == "outcome") REQUIRE((value == "in_progress" || value == "agent_transfer_requested"));
    }
  }
}

// Cross-body rules for all webhooks of one session, as a receiver sees them
// (arrival order; transcripts and insights may overtake each other).
void check_voicebot_session(const std::vector<OJ>& bodies, int interval_s) {
  REQUIRE(!bodies.empty());
  INFO("session " << bodies.front()["session_id"]);
  REQUIRE(bodies.front()["trigger_reason"] == "start");  // blocking: nothing before its answer
  std::map<std::string, int> reasons;
  std::set<int> event_numbers;
  int event_count = 0;
  std::map<int, std::string> progress_text, complete_text;
  std::map<std::int64_t, const OJ*> ticks;
  std::int64_t end_ms = 0;
  for (const OJ& body : bodies) {
    for (const char* same : {"session_id", "conversation_id", "start_time", "external_id", "contact_uri",
                             "landing_number", "bot_id", "custom_parameters"})
      REQUIRE(body[same] == bodies.front()[same]);
    const std::string reason = body["trigger_reason"];
    ++reasons[reason];
    for (const OJ& event : body["events"]) {
      ++event_count;
      event_numbers.insert(std::stoi(event["event_id"].get<std::string>().substr(4)));
    }
    if (reason == "turn_progress" || reason == "turn_complete") {
      const OJ& t = body["events"][0]["event_data"]["transcripts"][0];
      std::string text;
      for (const OJ& segment : t["transcript_segments"]) text += segment["text"].get<std::string>();
      auto& slot = reason == "turn_progress" ? progress_text : complete_text;
      REQUIRE(slot.count(t["sequence"].get<int>()) == 0);
      slot[t["sequence"].get<int>()] = text;
    }
    if (reason == "timer") {
      const std::int64_t at = iso_ms(body["events"][0]["event_data"]["timestamp"]);
      REQUIRE(ticks.count(at) == 0);
      ticks[at] = &body;
    }
    if (reason == "end") end_ms = iso_ms(body["end_time"]);
  }
  REQUIRE(reasons["start"] == 1);
  REQUIRE(reasons["end"] == 1);
  REQUIRE(reasons["pre_agent_transfer"] <= 1);
  // evt_<n> numbers the session's events: no gaps, no repeats.
  REQUIRE(static_cast<int>(event_numbers.size()) == event_count);
  if (event_count > 0) {
    REQUIRE(*event_numbers.begin() == 1);
    REQUIRE(*event_numbers.rbegin() == event_count);
  }
  // Sequences number the turns; a progress webhook shares its turn's
  // sequence and carries the first words of it.
  REQUIRE(!complete_text.empty());
  REQUIRE(complete_text.begin()->first == 1);
  REQUIRE(complete_text.rbegin()->first == static_cast<int>(complete_text.size()));
  for (const auto& [sequence, text] : progress_text) {
    REQUIRE(complete_text.count(sequence) == 1);
    INFO("progress \"" << text << "\" of \"" << complete_text[sequence] << "\"");
    REQUIRE(text.size() < complete_text[sequence].size());
    REQUIRE(complete_text[sequence].compare(0, text.size(), text) == 0);
  }
  // Insights: one tick per interval after the start, while the bot holds
  // the call; each tick has the configured types in order, and `status`
  // says whether the value changed against this session's previous one.
  const std::int64_t start_ms = iso_ms(bodies.front()["start_time"]);
  std::map<std::string, std::string> previous;
  std::int64_t next_tick = start_ms;
  for (const auto& [at, body] : ticks) {
    next_tick += interval_s * 1000;
    REQUIRE(at == next_tick);  // no tick skipped
    REQUIRE(at <= end_ms);
    std::vector<std::string> types;
    for (const OJ& event : (*body)["events"]) {
      const std::string type = event["event_type"];
      types.push_back(type);
      const std::string value = event["event_data"]["value"];
      REQUIRE(iso_ms(event["event_data"]["timestamp"]) == at);
      const bool changed = previous.count(type) == 0 || previous[type] != value;
      REQUIRE(event["event_data"]["status"] == (changed ? "changed" : "unchanged"));
      previous[type] = value;
    }
    REQUIRE(types == k_insight_types);
  }
}

// ---------------------------------------------------------------- Atoms

void check_atoms_body(const OJ& body) {
  INFO(body.dump());
  REQUIRE(body.is_object());
  const std::string event = body["event"];
  std::vector<std::string> fields = {"event", "timestamp", "agent_id", "call_id"};
  if (event == "call.start") {
    for (const char* f : {"call_direction", "caller_phone", "agent_phone"}) fields.push_back(f);
  } else if (event == "call.end") {
    for (const char* f : {"duration_seconds", "disposition", "transcript", "variables"}) fields.push_back(f);
  } else {
    REQUIRE(event == "analytics.completed");
    fields.push_back("metrics");
  }
  REQUIRE(keys_of(body) == fields);
  REQUIRE(is_iso(body["timestamp"].get<std::string>(), 0));
  REQUIRE(matches(body["agent_id"].get<std::string>(), "agent_[a-z0-9]{6}"));
  REQUIRE(matches(body["call_id"].get<std::string>(), "call_[a-z0-9]{12}"));
  if (event == "call.start") {
    REQUIRE((body["call_direction"] == "inbound" || body["call_direction"] == "outbound"));
    REQUIRE(is_e164(body["caller_phone"]));
    REQUIRE(is_e164(body["agent_phone"]));
    REQUIRE(body["caller_phone"] != body["agent_phone"]);
  }
  if (event == "call.end") {
    REQUIRE(body["duration_seconds"].is_number_integer());
    REQUIRE(body["duration_seconds"].get<int>() >= 1);
    REQUIRE(body["disposition"].is_string());
    REQUIRE(!body["disposition"].get<std::string>().empty());
    REQUIRE(body["transcript"].is_array());
    REQUIRE(!body["transcript"].empty());
    for (const OJ& line : body["transcript"]) {
      REQUIRE(keys_of(line) == std::vector<std::string>{"role", "content", "timestamp"});
      REQUIRE((line["role"] == "agent" || line["role"] == "user"));
      REQUIRE(!line["content"].get<std::string>().empty());
      REQUIRE(is_iso(line["timestamp"].get<std::string>(), 0));
      REQUIRE(iso_ms(line["timestamp"]) <= iso_ms(body["timestamp"]));
    }
    REQUIRE(body["variables"].is_object());
  }
  if (event == "analytics.completed") REQUIRE(body["metrics"].is_object());
}

// The envelope of the live format (docs/vendors.md, "format live").
void check_atoms_live_body(const OJ& body, const std::string& event) {
  INFO(body.dump());
  REQUIRE(keys_of(body) == std::vector<std::string>{"url", "description", "event", "metadata", "id"});
  const OJ& metadata = body["metadata"];
  const std::string agent = metadata["agentId"];
  REQUIRE(body["event"] == agent + "." + event);
  REQUIRE(metadata["eventType"] == event);
  const std::vector<std::string> keys = keys_of(metadata);
  REQUIRE(keys.size() >= 4);
  REQUIRE(std::vector<std::string>(keys.begin(), keys.begin() + 4) ==
          std::vector<std::string>{"agentId", "eventType", "conversationType", "callId"});
  REQUIRE((metadata["conversationType"] == "telephonyInbound" || metadata["conversationType"] == "telephonyOutbound"));
  REQUIRE(matches(metadata["callId"].get<std::string>(), "CALL-[0-9]{13}-[0-9a-f]{6}"));
  if (event == "pre-conversation") {
    REQUIRE(is_e164(metadata["toPhone"]));
    REQUIRE(is_e164(metadata["fromPhone"]));
  } else {
    const OJ& data = metadata["callData"];
    REQUIRE(data["callId"] == metadata["callId"]);
    REQUIRE(is_e164(data["fromNumber"]));
    REQUIRE(is_e164(data["toNumber"]));
    REQUIRE(data["callDuration"].is_number());
    REQUIRE(is_iso(data["startTime"].get<std::string>(), 3));
    REQUIRE(is_iso(data["endTime"].get<std::string>(), 3));
  }
  if (event == "post-conversation") {
    REQUIRE(metadata["transcript"].is_array());
    REQUIRE(matches(metadata["recordingUrl"].get<std::string>(), R"(https?://.+-[0-9]+\.wav)"));
  }
  if (event == "analytics-completed") {
    const OJ& analytics = metadata["analytics"];
    REQUIRE(keys_of(analytics) == std::vector<std::string>{"summary", "dispositionMetrics", "successMetrics"});
  }
}

// ---------------------------------------------------------------- Fone Dynamics

// The document's parameter tables, in order.
const std::vector<std::string> k_fd_order = {"Action",
                                             "Event",
                                             "Account.Sid",
                                             "Property.Sid",
                                             "Property.Name",
                                             "Property.Type",
                                             "Call.Sid",
                                             "Call.StartDate",
                                             "Call.From",
                                             "Call.From.Country",
                                             "Call.From.Region",
                                             "Call.From.City",
                                             "Call.To",
                                             "Call.To.Type",
                                             "Call.To.Name",
                                             "Call.Duration",
                                             "Call.Disposition",
                                             "Call.Recording.Uri",
                                             "Call.Endpoint",
                                             "Call.Survey.Type",
                                             "Call.Survey.Value",
                                             "Call.Survey.Custom1",
                                             "Call.Survey.Custom2",
                                             "Call.Survey.Custom3",
                                             "Call.Survey.UniqueCode",
                                             "Call.Prompts.Postcode",
                                             "Call.Prompts.Keys",
                                             "Attribution.Source",
                                             "Attribution.Medium",
                                             "Attribution.Campaign",
                                             "Attribution.Content",
                                             "Session.Traffic.Type",
                                             "Session.Keywords",
                                             "Session.ConversionUri",
                                             "Session.LandingUri",
                                             "AnalyticsSession.CustomDimension1",
                                             "AnalyticsSession.CustomDimension2",
                                             "Google.Analytics.ClientId",
                                             "Google.AdWords.ClickId"};

const std::set<std::string> k_fd_always = {"Action",
                                           "Event",
                                           "Account.Sid",
                                           "Property.Sid",
                                           "Property.Name",
                                           "Property.Type",
                                           "Call.Sid",
                                           "Call.StartDate",
                                           "Call.From",
                                           "Call.From.Country",
                                           "Call.From.Region",
                                           "Call.From.City",
                                           "Call.To",
                                           "Call.To.Name",
                                           "Attribution.Source",
                                           "Attribution.Medium",
                                           "Attribution.Campaign",
                                           "Attribution.Content"};
const std::set<std::string> k_fd_complete_only = {
    "Call.To.Type",        "Call.Duration",          "Call.Disposition",      "Call.Recording.Uri",
    "Call.Survey.Type",    "Call.Survey.Value",      "Call.Survey.Custom1",   "Call.Survey.Custom2",
    "Call.Survey.Custom3", "Call.Survey.UniqueCode", "Call.Prompts.Postcode", "Call.Prompts.Keys"};
const std::set<std::string> k_fd_dispositions = {"ANSWERED", "NO ANSWER", "BUSY", "IVR", "FAILED"};

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

// One request's parameters, on their own (the presence table per event).
// `custom_dimension2`: the stream sets vendor_config.custom_dimension2.
void check_fd_params(const Params& params, bool custom_dimension2 = false) {
  std::string listing;
  for (const auto& [k, v] : params) listing += k + "=" + v + "\n";
  INFO(listing);
  const std::string event = param(params, "Event").value_or("");
  REQUIRE((event == "Call.Initiate" || event == "Call.Complete"));
  const bool complete = event == "Call.Complete";
  // Known names only, once each, in the tables' order.
  std::size_t last = 0;
  std::set<std::string> seen;
  for (const auto& [k, v] : params) {
    const auto at = std::find(k_fd_order.begin(), k_fd_order.end(), k);
    INFO(k);
    REQUIRE(at != k_fd_order.end());
    REQUIRE(seen.insert(k).second);
    const auto index = static_cast<std::size_t>(at - k_fd_order.begin());
    REQUIRE(index >= last);
    last = index;
    if (!complete) REQUIRE(k_fd_complete_only.count(k) == 0);
  }
  for (const auto& name : k_fd_always) {
    INFO(name);
    REQUIRE(seen.count(name) == 1);
  }
  if (complete)
    for (const char* name : {"Call.To.Type", "Call.Duration", "Call.Disposition"}) REQUIRE(seen.count(name) == 1);
  REQUIRE(param(params, "Action") == "Webhook");
  REQUIRE(param(params, "Property.Type") == "Site");
  REQUIRE(matches(*param(params, "Account.Sid"), "[0-9A-F]{32}"));
  REQUIRE(matches(*param(params, "Property.Sid"), "S[0-9A-F]{31}"));
  REQUIRE(matches(*param(params, "Call.Sid"), "[0-9A-F]{32}"));
  REQUIRE(matches(*param(params, "Call.StartDate"), R"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})"));
  const std::string from = *param(params, "Call.From");
  REQUIRE((from == "anonymous" || is_e164(from)));
  const std::string country = *param(params, "Call.From.Country");
  REQUIRE((country.empty() || country == "AU" || country == "US" || country == "GB" || country == "IN"));
  if (from == "anonymous")
    for (const char* geo : {"Call.From.Country", "Call.From.Region", "Call.From.City"})
      REQUIRE(param(params, geo) == "");
  if (country.empty()) REQUIRE(param(params, "Call.From.City") == "");
  REQUIRE(is_e164(*param(params, "Call.To")));
  // Optional parameters are left out rather than sent empty (the default).
  const std::set<std::string> optional = {
      "Call.Recording.Uri",        "Call.Endpoint",         "Call.Survey.Type",    "Call.Survey.Value",
      "Call.Survey.Custom1",       "Call.Survey.Custom2",   "Call.Survey.Custom3", "Call.Survey.UniqueCode",
      "Call.Prompts.Postcode",     "Call.Prompts.Keys",     "Session.Keywords",    "AnalyticsSession.CustomDimension1",
      "Google.Analytics.ClientId", "Google.AdWords.ClickId"};
  for (const auto& [k, v] : params)
    if (optional.count(k)) REQUIRE(!v.empty());
  if (auto endpoint = param(params, "Call.Endpoint")) REQUIRE(is_e164(*endpoint));
  // Web-session parameters come together, only for dynamic numbers.
  const bool session = seen.count("Session.Traffic.Type") == 1;
  for (const char* name : {"Session.ConversionUri", "Session.LandingUri"})
    REQUIRE(seen.count(name) == (session ? 1u : 0u));
  REQUIRE(seen.count("AnalyticsSession.CustomDimension2") == (session && custom_dimension2 ? 1u : 0u));
  if (auto blank = param(params, "AnalyticsSession.CustomDimension2")) REQUIRE(blank->empty());
  if (!session)
    for (const char* name : {"Session.Keywords", "AnalyticsSession.CustomDimension1", "Google.Analytics.ClientId",
                             "Google.AdWords.ClickId"})
      REQUIRE(seen.count(name) == 0);
  const std::string source = *param(params, "Attribution.Source"), medium = *param(params, "Attribution.Medium");
  if (session) {
    const std::string traffic = *param(params, "Session.Traffic.Type");
    const std::set<std::string> types = {"Campaign", "Direct", "Organic", "Referral", "Unattributed"};
    REQUIRE(types.count(traffic) == 1);
    if (traffic == "Campaign") {
      REQUIRE(source == "google");
      REQUIRE(medium == "cpc");
      REQUIRE(!param(params, "Attribution.Campaign")->empty());
    } else {
      REQUIRE(seen.count("Google.AdWords.ClickId") == 0);
    }
    if (traffic == "Organic") REQUIRE((source == "google" && medium == "organic"));
    if (traffic == "Direct") REQUIRE((source == "(direct)" && medium == "(none)"));
    if (traffic == "Referral") REQUIRE((source == "facebook.com" && medium == "referral"));
    if (traffic == "Unattributed") REQUIRE((source.empty() && medium.empty()));
    const std::string host = "://" + *param(params, "Property.Name");
    REQUIRE(param(params, "Session.LandingUri")->find(host) != std::string::npos);
    REQUIRE(param(params, "Session.ConversionUri")->find(host) != std::string::npos);
  } else {
    for (const char* name : {"Attribution.Source", "Attribution.Medium", "Attribution.Campaign", "Attribution.Content"})
      REQUIRE(param(params, name) == "");
  }
  if (complete) {
    const std::string type = *param(params, "Call.To.Type");
    REQUIRE(type == (session ? "Dynamic" : "Static"));
    REQUIRE(matches(*param(params, "Call.Duration"), "[1-9][0-9]*"));
    const std::string disposition = *param(params, "Call.Disposition");
    REQUIRE(k_fd_dispositions.count(disposition) == 1);
    const bool transferred = disposition == "ANSWERED" || disposition == "NO ANSWER" || disposition == "BUSY";
    REQUIRE(seen.count("Call.Endpoint") == (transferred ? 1u : 0u));
    if (disposition != "ANSWERED") {
      REQUIRE(seen.count("Call.Recording.Uri") == 0);
      for (const auto& k : seen) REQUIRE(!starts_with(k, "Call.Survey."));
    }
    if (auto value = param(params, "Call.Survey.Value")) REQUIRE(matches(*value, "-?[0-9]+"));
    if (auto uri = param(params, "Call.Recording.Uri"))
      REQUIRE(matches(*uri, "https?://.+/" + *param(params, "Call.Sid") + R"(-[0-9]+\.(wav|ogg))"));
  }
}

// ---------------------------------------------------------------- VoiceKit

void check_voicekit_body(const OJ& body) {
  INFO(body.dump());
  REQUIRE(keys_of(body) == std::vector<std::string>{"event", "timestamp", "data"});
  REQUIRE(is_iso(body["timestamp"].get<std::string>(), 3));
  const std::string event = body["event"];
  const OJ& data = body["data"];
  REQUIRE(data["call_id"].is_number_integer());
  std::vector<std::string> fields;
  if (event == "call_started") fields = {"call_id", "workflow_slug", "phone_number"};
  if (event == "call_ended")
    fields = {"call_id", "workflow_slug", "phone_number", "duration_seconds", "duration_minutes"};
  if (event == "call_finalized")
    fields = {"call_id", "call_slug", "recording_url", "workflow_id", "organization_id", "egress_info"};
  if (event == "call_started_hook") fields = {"call_id", "workflow_slug", "phone_number", "direction", "runtime_data"};
  REQUIRE(!fields.empty());
  std::vector<std::string> keys = keys_of(data);
  // The merged runtime data, when a hook answer set it, is echoed last.
  if ((event == "call_started" || event == "call_ended") && !keys.empty() && keys.back() == "runtime_data") {
    keys.pop_back();
    REQUIRE(data["runtime_data"].is_object());
  }
  REQUIRE(keys == fields);
  if (event != "call_finalized") {
    REQUIRE(!data["workflow_slug"].get<std::string>().empty());
    REQUIRE((data["phone_number"].is_null() || is_e164(data["phone_number"])));
  }
  if (event == "call_ended") {
    REQUIRE(data["duration_seconds"].is_number_integer());
    REQUIRE(data["duration_minutes"].is_number_integer());
    const auto seconds = data["duration_seconds"].get<std::int64_t>();
    const std::int64_t minutes = std::max<std::int64_t>(1, (seconds + 59) / 60);
    REQUIRE(data["duration_minutes"].get<std::int64_t>() == minutes);
  }
  if (event == "call_started_hook") {
    REQUIRE((data["direction"] == "inbound" || data["direction"] == "outbound"));
    REQUIRE(data["runtime_data"].is_object());
  }
  if (event == "call_finalized") {
    const std::string slug = data["call_slug"];
    REQUIRE(matches(slug, "[a-z0-9]{8}"));
    REQUIRE(data["workflow_id"].is_number_integer());
    REQUIRE(data["organization_id"].is_number_integer());
    const OJ& egress = data["egress_info"];
    REQUIRE(keys_of(egress) == std::vector<std::string>{"egress_id", "room_id", "room_name", "status", "started_at",
                                                        "ended_at", "duration", "file_size", "file_type"});
    REQUIRE(matches(egress["egress_id"].get<std::string>(), "EG_[A-Za-z0-9]{12}"));
    REQUIRE(matches(egress["room_id"].get<std::string>(), "RM_[A-Za-z0-9]{12}"));
    REQUIRE(matches(egress["room_name"].get<std::string>(), "VOICEKIT_workflow_" + slug + "_[0-9]{4}"));
    REQUIRE(egress["status"] == "EGRESS_COMPLETE");
    for (const char* n : {"started_at", "ended_at", "duration", "file_size"})
      REQUIRE(matches(egress[n].get<std::string>(), "[1-9][0-9]*"));
    const std::int64_t started = std::stoll(egress["started_at"].get<std::string>());
    const std::int64_t ended = std::stoll(egress["ended_at"].get<std::string>());
    const std::int64_t media = std::stoll(egress["duration"].get<std::string>());
    REQUIRE(ended > started);
    REQUIRE(media >= ended - started - 3000000000LL);
    REQUIRE(media <= ended - started - 1000000000LL);
    const std::string type = egress["file_type"];
    REQUIRE((type == "ogg" || type == "wav"));
    REQUIRE(matches(data["recording_url"].get<std::string>(),
                    "https?://.+/" + slug + "-" + egress["file_size"].get<std::string>() + "\\." + type));
  }
}

// ---------------------------------------------------------------- VoiceBot answers

const std::string k_voicebot_ok = R"({"http_code":200,"response":{"data":{}}})";

std::string override_answer(const std::string& base, const std::string& session, const std::string& interval) {
  const std::string root = base + "/s/" + session;
  return R"({"http_code":200,"response":{"data":{"webhook_config":{"transcript_events":{"url":")" + root +
         R"(/transcripts"},"insights_events":{"url":")" + root +
         R"(/insights","trigger_type":"timer","trigger_interval_sec":)" + interval + R"(},"session_end":{"url":")" +
         root + R"(/end"}}}}})";
}

// The path a later webhook of a redirected session must use.
std::string override_path(const std::string& session, const std::string& reason) {
  if (reason == "turn_progress" || reason == "turn_complete") return "/s/" + session + "/transcripts";
  if (reason == "timer") return "/s/" + session + "/insights";
  if (reason == "end") return "/s/" + session + "/end";
  return "/hooks";
}

}  // namespace

// ====================================================================== 1

TEST_CASE("voicebot-basic: every webhook arrives in the common request format", "[integration][vendors]") {
  Receiver receiver(
      [](const httplib::Request&, httplib::Response& res) { res.set_content(k_voicebot_ok, "application/json"); });
  TempDir dir;
  const RunOutcome run = run_scenario(receiver, dir, "scenarios/voicebot-basic.json");
  check_report_matches(run);
  std::map<std::string, std::vector<OJ>> sessions;
  std::set<std::string> bot_ids;
  for (const auto& r : run.received) {
    REQUIRE(r.method == "POST");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.header("Content-Type") == "application/json");
    const OJ body = OJ::parse(r.body);
    check_voicebot_body(body);
    REQUIRE(body["bot_name"] == "support-bot");
    REQUIRE(body["network_type"] == "pstn");
    REQUIRE(starts_with(body["contact_uri"], "+91"));
    REQUIRE(matches(body["external_id"].get<std::string>(), "CA[0-9a-f]{32}"));
    REQUIRE(unordered(body["custom_parameters"]) == json{{"campaign", "renewals"}});
    bot_ids.insert(body["bot_id"].get<std::string>());
    sessions[body["session_id"]].push_back(body);
  }
  REQUIRE(bot_ids.size() == 1);  // one bot per stream
  REQUIRE(sessions.size() == 10);
  std::vector<std::int64_t> starts;
  std::set<std::string> call_sids;
  for (const auto& [id, bodies] : sessions) {
    check_voicebot_session(bodies, 30);
    starts.push_back(iso_ms(bodies.front()["start_time"]));
    call_sids.insert(bodies.front()["external_id"].get<std::string>());
  }
  REQUIRE(call_sids.size() == 10);
  std::sort(starts.begin(), starts.end());
  REQUIRE(starts == expected_starts_ms(10));
  // The scenario exercises every kind of webhook (transfer_p 0.2, seed 11).
  std::map<std::string, int> reasons;
  for (const auto& [id, bodies] : sessions)
    for (const auto& b : bodies) ++reasons[b["trigger_reason"].get<std::string>()];
  for (const char* reason : {"turn_progress", "turn_complete", "timer", "pre_agent_transfer"}) {
    INFO(reason);
    REQUIRE(reasons[reason] > 0);
  }
  for (const auto& [event, stats] : run.report.at("events").items()) {
    int arrived = 0;
    for (const auto& [id, bodies] : sessions)
      for (const auto& b : bodies) {
        const std::string reason = b["trigger_reason"];
        const std::string type = reason == "start"                ? "session_start"
                                 : reason == "end"                ? "session_end"
                                 : reason == "timer"              ? "insights_events"
                                 : reason == "pre_agent_transfer" ? "pre_agent_transfer"
                                                                  : "transcript_events";
        arrived += type == event ? 1 : 0;
      }
    INFO(event);
    REQUIRE(stats.at("delivered") == arrived);
  }
}

TEST_CASE("atoms-basic: ordered per call, signed with the scenario's secret", "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  const RunOutcome run = run_scenario(receiver, dir, "scenarios/atoms-basic.json", {"--concurrency", "1"});
  check_report_matches(run);
  REQUIRE(run.received.size() == 30);
  std::map<std::string, std::vector<OJ>> calls;
  std::set<std::string> agents;
  for (const auto& r : run.received) {
    REQUIRE(r.method == "POST");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.header("Content-Type") == "application/json");
    REQUIRE(r.header("X-Signature") == hmac_sha256_hex("atoms-demo-secret", r.body));
    const OJ body = OJ::parse(r.body);
    check_atoms_body(body);
    agents.insert(body["agent_id"].get<std::string>());
    calls[body["call_id"]].push_back(body);
  }
  REQUIRE(agents.size() == 1);
  REQUIRE(calls.size() == 10);
  std::vector<std::int64_t> starts;
  for (const auto& [id, bodies] : calls) {
    INFO(id);
    REQUIRE(bodies.size() == 3);
    REQUIRE(bodies[0]["event"] == "call.start");
    REQUIRE(bodies[1]["event"] == "call.end");
    REQUIRE(bodies[2]["event"] == "analytics.completed");
    const std::int64_t start = iso_ms(bodies[0]["timestamp"]), end = iso_ms(bodies[1]["timestamp"]);
    starts.push_back(start);
    const std::int64_t seconds = bodies[1]["duration_seconds"].get<std::int64_t>();
    REQUIRE(std::llabs(seconds * 1000 - (end - start)) <= 1000);
    REQUIRE(iso_ms(bodies[2]["timestamp"]) - end >= 4000);  // analytics_delay_s 5
    REQUIRE(iso_ms(bodies[2]["timestamp"]) - end <= 6000);
    for (const OJ& line : bodies[1]["transcript"]) REQUIRE(iso_ms(line["timestamp"]) >= start);
    REQUIRE((bodies[1]["disposition"] == "successful" || bodies[1]["disposition"] == "unsuccessful" ||
             bodies[1]["disposition"] == "transferred"));
    const OJ& metrics = bodies[2]["metrics"];
    REQUIRE(keys_of(metrics) ==
            std::vector<std::string>{"follow_up_needed", "issue_resolved", "product_discussed", "satisfaction_score"});
    REQUIRE(metrics["follow_up_needed"].is_boolean());
    REQUIRE(metrics["issue_resolved"].is_boolean());
    REQUIRE((metrics["product_discussed"] == "Widget Pro" || metrics["product_discussed"] == "Widget Lite"));
    REQUIRE(metrics["satisfaction_score"].is_number_integer());
    REQUIRE(metrics["satisfaction_score"].get<int>() >= 1);
    REQUIRE(metrics["satisfaction_score"].get<int>() <= 5);
  }
  std::sort(starts.begin(), starts.end());
  REQUIRE(starts == expected_starts_ms(10));
}

TEST_CASE("fonedynamics-basic: form posts with the documented parameters", "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  const RunOutcome run = run_scenario(receiver, dir, "scenarios/fonedynamics-basic.json");
  check_report_matches(run);
  REQUIRE(run.received.size() == 20);
  std::map<std::string, std::map<std::string, Params>> calls;  // sid -> event -> params
  for (const auto& r : run.received) {
    REQUIRE(r.method == "POST");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.query.empty());
    REQUIRE(starts_with(r.header("Content-Type"), "application/x-www-form-urlencoded"));
    const Params params = parse_form(r.body);
    check_fd_params(params);
    REQUIRE(param(params, "Property.Name") == "example.com.au");
    REQUIRE(param(params, "Call.To.Name") == "Main Line");
    // A caller id's "+" travels as %2B, never as a raw "+" or a space.
    const std::string from = *param(params, "Call.From");
    if (from != "anonymous") {
      REQUIRE(starts_with(from, "+61"));
      REQUIRE(r.body.find("&Call.From=%2B61") != std::string::npos);
      const std::string country = *param(params, "Call.From.Country");
      REQUIRE((country == "AU" || country.empty()));
    }
    REQUIRE(r.body.find("Call.StartDate=" + param(params, "Call.StartDate")->substr(0, 10) + "%20") !=
            std::string::npos);
    const std::string sid = *param(params, "Call.Sid");
    REQUIRE(calls[sid].count(*param(params, "Event")) == 0);
    calls[sid][*param(params, "Event")] = params;
  }
  REQUIRE(calls.size() == 10);
  std::vector<std::int64_t> starts;
  for (const auto& [sid, events] : calls) {
    INFO(sid);
    REQUIRE(events.size() == 2);
    const Params& initiate = events.at("Call.Initiate");
    const Params& complete = events.at("Call.Complete");
    for (const char* same : {"Account.Sid", "Property.Sid", "Call.StartDate", "Call.From", "Call.From.Country",
                             "Call.To", "Call.Endpoint", "Session.Traffic.Type", "Attribution.Source"})
      REQUIRE(param(initiate, same) == param(complete, same));
    starts.push_back(iso_ms(*param(initiate, "Call.StartDate")));
  }
  std::sort(starts.begin(), starts.end());
  REQUIRE(starts == expected_starts_ms(10));
}

TEST_CASE("fonedynamics: every disposition, traffic type and optional group follows the tables",
          "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  const auto scenario = dir.write("fd-mix.json", R"({
    "name": "fd-mix", "seed": 17,
    "streams": [
      { "vendor": "fonedynamics",
        "vendor_config": { "dynamic_p": 0.8, "survey_p": 0.5, "prompts_p": 0.5, "anonymous_p": 0.1,
                           "dispositions": { "ANSWERED": 1, "NO ANSWER": 1, "BUSY": 1, "IVR": 1, "FAILED": 1 },
                           "traffic": { "Campaign": 1, "Direct": 1, "Organic": 1, "Referral": 1, "Unattributed": 1 } },
        "calls": { "count": 60, "arrival": { "rate_per_s": 2 }, "duration_s": { "uniform": [10, 200] }, "country": "44" } }]
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  check_report_matches(run);
  REQUIRE(run.received.size() == 120);
  std::map<std::string, std::set<std::string>> seen;  // what the run covered
  std::map<std::string, Params> initiate_of;
  for (const auto& r : run.received) {
    const Params params = parse_form(r.body);
    if (param(params, "Event") == "Call.Initiate") initiate_of[*param(params, "Call.Sid")] = params;
  }
  REQUIRE(initiate_of.size() == 60);
  for (const auto& r : run.received) {
    const Params params = parse_form(r.body);
    check_fd_params(params);
    if (auto from = param(params, "Call.From"); from != "anonymous") REQUIRE(starts_with(*from, "+44"));
    if (param(params, "Event") != "Call.Complete") continue;
    const Params& initiate = initiate_of.at(*param(params, "Call.Sid"));
    REQUIRE(param(initiate, "Call.Endpoint") == param(params, "Call.Endpoint"));
    REQUIRE(param(initiate, "Session.Traffic.Type") == param(params, "Session.Traffic.Type"));
    REQUIRE(param(initiate, "Google.AdWords.ClickId") == param(params, "Google.AdWords.ClickId"));
    seen["disposition"].insert(*param(params, "Call.Disposition"));
    seen["type"].insert(*param(params, "Call.To.Type"));
    if (auto traffic = param(params, "Session.Traffic.Type")) seen["traffic"].insert(*traffic);
    for (const auto& [k, v] : params) seen["names"].insert(k);
    if (param(params, "Call.From") == "anonymous") seen["from"].insert("anonymous");
  }
  REQUIRE(seen["disposition"] == k_fd_dispositions);
  REQUIRE(seen["type"] == std::set<std::string>{"Dynamic", "Static"});
  REQUIRE(seen["traffic"] == std::set<std::string>{"Campaign", "Direct", "Organic", "Referral", "Unattributed"});
  REQUIRE(seen["from"].count("anonymous") == 1);
  for (const char* name : {"Call.Recording.Uri", "Call.Survey.Type", "Call.Prompts.Keys", "Google.Analytics.ClientId",
                           "Google.AdWords.ClickId", "Session.Keywords", "AnalyticsSession.CustomDimension1"}) {
    INFO(name);
    REQUIRE(seen["names"].count(name) == 1);
  }
}

TEST_CASE("fonedynamics custom_dimension2 also sends AnalyticsSession.CustomDimension2, blank",
          "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  const auto scenario = dir.write("fd-dimension2.json", R"({
    "name": "fd-dimension2", "seed": 19,
    "streams": [{ "vendor": "fonedynamics", "vendor_config": { "custom_dimension2": true, "dynamic_p": 1 },
                  "calls": { "count": 3, "arrival": { "rate_per_s": 0.2 }, "duration_s": 30 } }]
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  check_report_matches(run);
  REQUIRE(run.received.size() == 6);
  for (const auto& r : run.received) check_fd_params(parse_form(r.body), true);
}

TEST_CASE("fonedynamics with method GET: the parameters in the query string", "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  const auto scenario = dir.write("fd-get.json", R"({
    "name": "fd-get", "seed": 8,
    "streams": [{ "vendor": "fonedynamics",
      "vendor_config": { "method": "GET", "dispositions": { "ANSWERED": 1 } },
      "calls": { "count": 4, "arrival": { "rate_per_s": 0.2 }, "duration_s": 30, "country": "44" } }]
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  check_report_matches(run);
  REQUIRE(run.received.size() == 8);
  for (const auto& r : run.received) {
    REQUIRE(r.method == "GET");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.body.empty());
    REQUIRE(r.header("Content-Type").empty());
    const Params params = parse_form(r.query);
    check_fd_params(params);
    if (param(params, "Event") == "Call.Complete") {
      REQUIRE(param(params, "Call.Disposition") == "ANSWERED");
      REQUIRE(param(params, "Call.Recording.Uri").has_value());  // recording.p defaults to 1
      REQUIRE(param(params, "Call.Duration") == "30");
    }
  }
}

TEST_CASE("voicekit-basic: call_started, call_ended, call_finalized as documented", "[integration][vendors]") {
  Receiver receiver;
  TempDir dir;
  // One request at a time, so arrival order is send order (at speed max a
  // call's end and its recording are otherwise in flight together).
  const RunOutcome run = run_scenario(receiver, dir, "scenarios/voicekit-basic.json", {"--concurrency", "1"});
  check_report_matches(run);
  REQUIRE(run.received.size() == 30);
  std::map<std::int64_t, std::map<std::string, OJ>> calls;
  std::map<std::int64_t, std::map<std::string, std::size_t>> arrival;
  for (std::size_t i = 0; i < run.received.size(); ++i) {
    const auto& r = run.received[i];
    REQUIRE(r.method == "POST");
    REQUIRE(r.path == "/hooks");
    REQUIRE(r.header("Content-Type") == "application/json");
    const OJ body = OJ::parse(r.body);
    check_voicekit_body(body);
    const auto id = body["data"]["call_id"].get<std::int64_t>();
    REQUIRE(calls[id].count(body["event"]) == 0);
    calls[id][body["event"]] = body;
    arrival[id][body["event"]] = i;
  }
  REQUIRE(calls.size() == 10);
  std::int64_t expected_id = 1001;  // call_id_base 1000, stream 0, in start order
  std::int64_t expected_start = k_epoch_ms;
  for (const auto& [id, events] : calls) {
    INFO(id);
    REQUIRE(id == expected_id++);
    REQUIRE(events.size() == 3);
    const OJ& started = events.at("call_started");
    const OJ& ended = events.at("call_ended");
    const OJ& finalized = events.at("call_finalized");
    REQUIRE(arrival[id]["call_finalized"] > arrival[id]["call_ended"]);
    const std::int64_t start = iso_ms(started["timestamp"]), end = iso_ms(ended["timestamp"]);
    REQUIRE(start == expected_start);
    expected_start += 5000;
    REQUIRE(started["data"]["workflow_slug"] == "customer-support");
    REQUIRE(started["data"]["phone_number"] == ended["data"]["phone_number"]);
    REQUIRE(is_e164(started["data"]["phone_number"]));
    const auto seconds = ended["data"]["duration_seconds"].get<std::int64_t>();
    REQUIRE(std::llabs(seconds * 1000 - (end - start)) <= 500);
    REQUIRE(seconds >= 30);
    REQUIRE(seconds <= 240);
    REQUIRE(iso_ms(finalized["timestamp"]) == end + 5000);  // finalize_delay_s 5
    const OJ& data = finalized["data"];
    REQUIRE(data["workflow_id"] == 456);
    REQUIRE(data["organization_id"] == 789);
    const OJ& egress = data["egress_info"];
    REQUIRE(egress["file_type"] == "ogg");
    // The egress starts 0.3-1.5 s into the call and stops 0.5-2.5 s after it.
    const std::int64_t started_ns = std::stoll(egress["started_at"].get<std::string>());
    const std::int64_t ended_ns = std::stoll(egress["ended_at"].get<std::string>());
    REQUIRE(started_ns - start * 1000000 >= 300000000LL);
    REQUIRE(started_ns - start * 1000000 <= 1500000000LL);
    REQUIRE(ended_ns - end * 1000000 >= 500000000LL);
    REQUIRE(ended_ns - end * 1000000 <= 2500000000LL);
  }
}

// ====================================================================== 2

TEST_CASE("voicebot session_start webhook_config redirects that session only", "[integration][vendors]") {
  std::mutex mutex;
  std::set<std::string> redirected, plain;
  std::string base;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (req.path == "/hooks" && body.is_object() && body.value("trigger_reason", "") == "start") {
      std::lock_guard lock(mutex);
      const std::string session = body["session_id"];
      if (redirected.count(session) == 0 && plain.count(session) == 0) {
        if ((redirected.size() + plain.size()) % 2 == 0)
          redirected.insert(session);
        else
          plain.insert(session);
      }
      if (redirected.count(session)) {
        res.set_content(override_answer(base, session, "10"), "application/json");
        return;
      }
    }
    res.set_content(k_voicebot_ok, "application/json");
  });
  {
    std::lock_guard lock(mutex);  // the handler reads it on the receiver's threads
    base = receiver.url();
  }
  TempDir dir;
  const RunOutcome run = run_scenario(receiver, dir, "scenarios/voicebot-basic.json");
  check_report_matches(run);
  REQUIRE(redirected.size() == 5);
  REQUIRE(plain.size() == 5);
  std::map<std::string, std::vector<OJ>> sessions;
  std::map<std::string, int> at_override;
  for (const auto& r : run.received) {
    const OJ body = OJ::parse(r.body);
    check_voicebot_body(body);
    const std::string session = body["session_id"];
    const std::string reason = body["trigger_reason"];
    INFO(r.path << " " << session << " " << reason);
    if (redirected.count(session)) {
      REQUIRE(r.path == override_path(session, reason));
      if (r.path != "/hooks") ++at_override[session];
    } else {
      REQUIRE(plain.count(session) == 1);
      REQUIRE(r.path == "/hooks");
    }
    sessions[session].push_back(body);
  }
  int off_grid_ticks = 0;  // insight ticks that only a 10 s timer makes
  for (const auto& [session, bodies] : sessions) {
    const bool overridden = redirected.count(session) == 1;
    check_voicebot_session(bodies, overridden ? 10 : 30);
    if (overridden) {
      REQUIRE(at_override[session] >= 2);  // at least transcripts and the end
      const std::int64_t start = iso_ms(bodies.front()["start_time"]);
      for (const auto& b : bodies)
        if (b["trigger_reason"] == "timer" && (iso_ms(b["events"][0]["event_data"]["timestamp"]) - start) % 30000 != 0)
          ++off_grid_ticks;
    }
  }
  REQUIRE(off_grid_ticks > 0);
}

TEST_CASE("voicebot session_start answers VoiceBot would reject are findings and change nothing",
          "[integration][vendors]") {
  enum class Kind { good, not_json, no_http_code, string_interval, error_shape, too_slow };
  const std::vector<Kind> kinds = {Kind::good,        Kind::not_json, Kind::no_http_code, Kind::string_interval,
                                   Kind::error_shape, Kind::too_slow};
  std::mutex mutex;
  std::map<std::string, Kind> kind_of;       // session_id -> answer
  std::map<std::string, Kind> kind_of_call;  // external_id -> answer
  std::string base;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (!(body.is_object() && body.value("trigger_reason", "") == "start")) {
      res.set_content(k_voicebot_ok, "application/json");
      return;
    }
    const std::string session = body["session_id"];
    Kind kind;
    std::string redirect;
    {
      std::lock_guard lock(mutex);
      if (kind_of.count(session) == 0) {
        kind_of[session] = kinds[kind_of.size() % kinds.size()];
        kind_of_call[body["external_id"]] = kind_of[session];
      }
      kind = kind_of[session];
      redirect = override_answer(base, session, "10");
    }
    switch (kind) {
      case Kind::good: res.set_content(redirect, "application/json"); break;
      case Kind::not_json: res.set_content("thanks, got it", "text/plain"); break;
      case Kind::no_http_code: {
        std::string text = redirect;
        const std::string code = R"("http_code":200,)";
        text.erase(text.find(code), code.size());
        res.set_content(text, "application/json");
        break;
      }
      case Kind::string_interval: {
        std::string text = redirect;
        const std::string from = R"("trigger_interval_sec":10)";
        text.replace(text.find(from), from.size(), R"("trigger_interval_sec":"10")");
        res.set_content(text, "application/json");
        break;
      }
      case Kind::error_shape:
        res.set_content(R"({"http_code":500,"response":{"data":null,"error_data":{"error_code":"cl52894",)"
                        R"("message":"internal server error","description":"internal server error"}}})",
                        "application/json");
        break;
      case Kind::too_slow:
        std::this_thread::sleep_for(std::chrono::milliseconds(2500));
        res.set_content(redirect, "application/json");
        break;
    }
  });
  {
    std::lock_guard lock(mutex);  // the handler reads it on the receiver's threads
    base = receiver.url();
  }
  TempDir dir;
  const auto scenario = dir.write("voicebot-broken.json", R"({
    "name": "voicebot-broken", "seed": 4,
    "streams": [{ "vendor": "voicebot",
      "vendor_config": { "insights": { "trigger_interval_sec": 30 } },
      "calls": { "count": 6, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [50, 90] },
                 "turns": { "uniform": [3, 5] } },
      "delivery": { "timeout_ms": 1000, "retry": { "max_attempts": 1 },
                    "events": { "session_start": { "retry": { "max_attempts": 2, "backoff_ms": [100] } } } } }],
    "expect": { "failed": 1 }
  })");
  // Few requests in flight, so that only the slow answer is late.
  const RunOutcome run = run_scenario(receiver, dir, scenario, {"--concurrency", "2"});
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 0);
  REQUIRE(kind_of.size() == kinds.size());
  // The slow answer's two attempts timed out: that is the run's only failure.
  REQUIRE(run.report["totals"]["failed"] == 1);
  REQUIRE(run.report["events"]["session_start"]["failed"] == 1);

  // One finding per rejected answer, naming what was wrong.
  const json& findings = run.report["findings"];
  REQUIRE(run.report["totals"]["findings"] == kinds.size() - 1);
  REQUIRE(findings.size() == kinds.size() - 1);
  std::set<std::string> calls_with_findings;
  for (const json& finding : findings) {
    const std::string message = finding["message"];
    INFO(finding.dump());
    REQUIRE(finding["event"] == "session_start");
    REQUIRE(starts_with(message, "session_start answer: "));
    REQUIRE(message.find("using the configured endpoints") != std::string::npos);
    REQUIRE(kind_of_call.count(finding["call_id"]) == 1);
    REQUIRE(calls_with_findings.insert(finding["call_id"]).second);
    switch (kind_of_call[finding["call_id"]]) {
      case Kind::good: FAIL("a good answer gave a finding"); break;
      case Kind::not_json: REQUIRE(message.find("JSON") != std::string::npos); break;
      case Kind::no_http_code: REQUIRE(message.find("/http_code") != std::string::npos); break;
      case Kind::string_interval:
        REQUIRE(message.find("/response/data/webhook_config/insights_events/trigger_interval_sec") !=
                std::string::npos);
        REQUIRE(message.find("expected a positive integer") != std::string::npos);
        break;
      case Kind::error_shape:
        REQUIRE(message.find("/response/error_data") != std::string::npos);
        REQUIRE(message.find("http_code 500") != std::string::npos);
        REQUIRE(message.find("cl52894") != std::string::npos);
        break;
      case Kind::too_slow: REQUIRE(message.find("not delivered (timeout)") != std::string::npos); break;
    }
  }

  // Rejected answers leave the configured endpoints and timer in place.
  std::map<std::string, std::vector<OJ>> sessions;
  for (const auto& r : run.received) {
    const OJ body = OJ::parse(r.body);
    check_voicebot_body(body);
    const std::string session = body["session_id"];
    const std::string reason = body["trigger_reason"];
    INFO(r.path << " " << session << " " << reason);
    REQUIRE(kind_of.count(session) == 1);
    if (kind_of[session] == Kind::good)
      REQUIRE(r.path == override_path(session, reason));
    else
      REQUIRE(r.path == "/hooks");
    auto& bodies = sessions[session];
    if (reason == "start" && !bodies.empty()) {
      REQUIRE(kind_of[session] == Kind::too_slow);  // its retry, the same bytes
      REQUIRE(body == bodies.front());
      continue;
    }
    bodies.push_back(body);
  }
  REQUIRE(sessions.size() == kinds.size());
  for (const auto& [session, bodies] : sessions)
    check_voicebot_session(bodies, kind_of[session] == Kind::good ? 10 : 30);
}

// ====================================================================== 3

TEST_CASE("voicekit recordings download during the run, as large as file_size", "[integration][vendors]") {
  struct Fetched {
    std::string url, file_size, file_type;
    Download file;
  };
  std::mutex mutex;
  std::vector<Fetched> fetched;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_object() && body.value("event", "") == "call_finalized") {
      Fetched f;
      f.url = body["data"]["recording_url"];
      f.file_size = body["data"]["egress_info"]["file_size"];
      f.file_type = body["data"]["egress_info"]["file_type"];
      f.file = download(f.url);  // while the run, and its recording server, lives
      std::lock_guard lock(mutex);
      fetched.push_back(std::move(f));
    }
    res.set_content("{\"received\":true}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("voicekit-rec.json", R"({
    "name": "voicekit-rec", "seed": 12,
    "streams": [
      { "vendor": "voicekit", "calls": { "count": 3, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [20, 90] } } },
      { "vendor": "voicekit", "vendor_config": { "recording": { "file_type": "wav" } },
        "calls": { "count": 3, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [20, 90] } } }]
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  check_report_matches(run);
  REQUIRE(fetched.size() == 6);
  std::map<std::string, int> types;
  for (const auto& f : fetched) {
    INFO(f.url);
    REQUIRE(f.file.status == 200);
    REQUIRE(std::to_string(f.file.body.size()) == f.file_size);
    REQUIRE(starts_with(f.file.content_type, "audio/" + f.file_type));
    check_audio(f.file.body, f.file_type);
    ++types[f.file_type];
  }
  REQUIRE(types["ogg"] == 3);
  REQUIRE(types["wav"] == 3);
  // The stream's call ids do not collide (stream x 10000000 apart).
  std::set<std::int64_t> ids;
  for (const auto& r : run.received) ids.insert(json::parse(r.body)["data"]["call_id"].get<std::int64_t>());
  REQUIRE(ids == std::set<std::int64_t>{1001, 1002, 1003, 10001001, 10001002, 10001003});
}

TEST_CASE("fonedynamics recordings download during the run, sized from the call", "[integration][vendors]") {
  struct Fetched {
    std::string uri;
    std::int64_t duration_s = 0;
    Download file;
  };
  std::mutex mutex;
  std::vector<Fetched> fetched;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    const Params params = callhook::util::form_params(req.body);
    const auto uri = param(params, "Call.Recording.Uri");
    if (param(params, "Event") == "Call.Complete" && uri) {
      Fetched f;
      f.uri = *uri;
      f.duration_s = std::stoll(*param(params, "Call.Duration"));
      f.file = download(f.uri);
      std::lock_guard lock(mutex);
      fetched.push_back(std::move(f));
    }
    res.set_content("OK", "text/plain");
  });
  TempDir dir;
  const auto scenario = dir.write("fd-rec.json", R"({
    "name": "fd-rec", "seed": 13,
    "streams": [
      { "vendor": "fonedynamics", "vendor_config": { "dispositions": { "ANSWERED": 1 } },
        "calls": { "count": 3, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [20, 90] } } },
      { "vendor": "fonedynamics",
        "vendor_config": { "dispositions": { "ANSWERED": 1 }, "recording": { "format": "ogg" } },
        "calls": { "count": 3, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [20, 90] } } }]
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  check_report_matches(run);
  REQUIRE(fetched.size() == 6);
  std::map<std::string, int> types;
  for (const auto& f : fetched) {
    INFO(f.uri);
    std::smatch m;
    REQUIRE(std::regex_match(f.uri, m, std::regex(R"(.*-([0-9]+)\.(wav|ogg))")));
    const std::string type = m[2];
    REQUIRE(f.file.status == 200);
    REQUIRE(std::to_string(f.file.body.size()) == m[1].str());
    REQUIRE(starts_with(f.file.content_type, "audio/" + type));
    check_audio(f.file.body, type);
    // About as long as the call: 16000 B/s + 44 (WAV), about 2000 B/s (Ogg),
    // +-3 %, plus the rounding of Call.Duration to whole seconds.
    const double rate = type == "wav" ? 16000.0 : 2000.0;
    const double media = static_cast<double>(f.file.body.size()) - (type == "wav" ? 44.0 : 0.0);
    REQUIRE(std::abs(media / rate - static_cast<double>(f.duration_s)) <=
            0.03 * static_cast<double>(f.duration_s) + 1.0);
    ++types[type];
  }
  REQUIRE(types["wav"] == 3);
  REQUIRE(types["ogg"] == 3);
}

// ====================================================================== 4

TEST_CASE("voicekit callStartedHook comes first and its answer shapes the call", "[integration][vendors]") {
  // Answers by call index (call_id - 1001); "broken" ones VoiceKit rejects.
  struct HookAnswer {
    int status;
    std::string body;
    bool broken;
    std::string named;  // part of the finding's message
  };
  const std::vector<HookAnswer> answers = {
      {200, "{}", false, ""},
      {200, R"({"runtime_data":{"tier":"platinum","vip":true}})", false, ""},
      {200, R"({"phone_number":"+61412345678"})", false, ""},
      {200, R"({"runtime_data":{"a":{"b":1}}})", true, "/runtime_data/a"},
      {200, "thanks", true, "JSON"},
      {200, R"({"phone_number":"0412 345 678"})", true, "/phone_number"},
      {500, R"({"error":"boom"})", true, "not delivered"},
      {200, R"({"runtime_data":{"x":1},"extras":1})", true, "/extras"},
      {200, "[1,2]", true, "object"},
      {200, "", true, "empty"},
  };
  std::mutex mutex;
  std::map<std::int64_t, json> hook_requests;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/hook") {
      const json body = json::parse(req.body, nullptr, false);
      const auto id = body.is_object() ? body["data"].value("call_id", std::int64_t{0}) : 0;
      {
        std::lock_guard lock(mutex);
        hook_requests[id] = body;
      }
      const auto index = static_cast<std::size_t>(id - 1001);
      if (index < answers.size()) {
        res.status = answers[index].status;
        res.set_content(answers[index].body, "application/json");
        return;
      }
    }
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("voicekit-hook.json", R"({
    "name": "voicekit-hook", "seed": 21,
    "streams": [{ "vendor": "voicekit",
      "vendor_config": { "call_started_hook": ")" + receiver.url() +
                                                            R"(/hook",
                         "runtime_data": { "tier": "gold", "score": 3 } },
      "calls": { "count": 10, "arrival": { "rate_per_s": 0.2 }, "duration_s": { "uniform": [30, 90] },
                 "custom_parameters": { "campaign": "spring" } } }],
    "expect": { "failed": 1 }
  })");
  const RunOutcome run = run_scenario(receiver, dir, scenario);
  INFO(run.result.out << run.result.err);
  REQUIRE(run.result.exit_code == 0);
  REQUIRE(run.report["totals"]["delivered"].get<std::size_t>() + run.report["totals"]["failed"].get<std::size_t>() ==
          run.received.size());
  REQUIRE(run.report["totals"]["failed"] == 1);  // the hook answered 500

  std::map<std::int64_t, std::vector<std::pair<std::string, OJ>>> calls;  // id -> (path, body) by arrival
  for (const auto& r : run.received) {
    REQUIRE(r.method == "POST");
    const OJ body = OJ::parse(r.body);
    check_voicekit_body(body);
    REQUIRE(r.path == (body["event"] == "call_started_hook" ? "/hook" : "/hooks"));
    calls[body["data"]["call_id"].get<std::int64_t>()].emplace_back(r.path, body);
  }
  REQUIRE(calls.size() == answers.size());
  const json base_runtime = {{"campaign", "spring"}, {"tier", "gold"}, {"score", 3}};
  for (const auto& [id, events] : calls) {
    const auto index = static_cast<std::size_t>(id - 1001);
    INFO("call " << id << " answer " << answers.at(index).body);
    REQUIRE(events.size() == 4);
    REQUIRE(events[0].second["event"] == "call_started_hook");
    const OJ& hook = events[0].second;
    REQUIRE(unordered(hook["data"]["runtime_data"]) == base_runtime);
    std::map<std::string, OJ> by_event;
    for (const auto& [path, body] : events) by_event[body["event"]] = body;
    REQUIRE(by_event.count("call_started") == 1);
    REQUIRE(by_event.count("call_ended") == 1);
    REQUIRE(by_event.count("call_finalized") == 1);
    REQUIRE(hook["timestamp"] == by_event["call_started"]["timestamp"]);
    REQUIRE(!by_event["call_finalized"]["data"].contains("runtime_data"));

    const HookAnswer& answer = answers.at(index);
    json expected_runtime;  // null: not echoed
    std::string expected_phone = hook["data"]["phone_number"];
    if (!answer.broken) {
      const json overrides = json::parse(answer.body);
      if (overrides.contains("runtime_data")) {
        expected_runtime = base_runtime;
        expected_runtime.update(overrides["runtime_data"]);
      }
      if (overrides.contains("phone_number")) expected_phone = overrides["phone_number"];
    }
    for (const char* event : {"call_started", "call_ended"}) {
      const OJ& data = by_event[event]["data"];
      INFO(event << " " << data.dump());
      REQUIRE(data["phone_number"] == expected_phone);
      if (expected_runtime.is_null())
        REQUIRE(!data.contains("runtime_data"));
      else
        REQUIRE(unordered(data["runtime_data"]) == expected_runtime);
    }
  }

  // A finding per rejected answer, naming the problem, and none for the rest.
  const json& findings = run.report["findings"];
  std::map<std::string, std::string> message_of;
  for (const json& finding : findings) {
    INFO(finding.dump());
    REQUIRE(message_of.count(finding["call_id"]) == 0);
    message_of[finding["call_id"]] = finding["message"];
    REQUIRE(starts_with(finding["message"], "callStartedHook answer: "));
    REQUIRE(finding["message"].get<std::string>().find("the call goes on unmodified") != std::string::npos);
  }
  for (std::size_t i = 0; i < answers.size(); ++i) {
    const std::string id = std::to_string(1001 + i);
    INFO("call " << id << " answer " << answers[i].body);
    REQUIRE(message_of.count(id) == (answers[i].broken ? 1u : 0u));
    if (answers[i].broken) REQUIRE(message_of[id].find(answers[i].named) != std::string::npos);
  }
  REQUIRE(run.report["totals"]["findings"] == 7);
}

// ====================================================================== 5

namespace {

// `callhook sample VENDOR EVENT [--config CONFIG]` parses as the vendor's format.
void check_sample(const std::string& name, const std::string& event, const std::string& config) {
  std::vector<std::string> args = {"sample", name, event};
  if (!config.empty()) {
    args.push_back("--config");
    args.push_back(config);
  }
  const auto result = run_callhook(args);
  INFO(name << " " << event << "\n" << result.out << result.err);
  REQUIRE(result.exit_code == 0);
  REQUIRE(!result.out.empty());
  REQUIRE(result.out.back() == '\n');
  const std::string text = result.out.substr(0, result.out.size() - 1);
  if (name == "voiceflow") {
    const OJ body = OJ::parse(text);
    REQUIRE(body["type"] == event);
  } else if (name == "voicebot") {
    const OJ body = OJ::parse(text);
    check_voicebot_body(body);
    const std::map<std::string, std::set<std::string>> reasons = {
        {"session_start", {"start"}},
        {"session_end", {"end"}},
        {"pre_agent_transfer", {"pre_agent_transfer"}},
        {"insights_events", {"timer"}},
        {"transcript_events", {"turn_progress", "turn_complete"}}};
    REQUIRE(reasons.at(event).count(body["trigger_reason"].get<std::string>()) == 1);
  } else if (name == "atoms") {
    const OJ body = OJ::parse(text);
    if (event.find('.') != std::string::npos) {
      check_atoms_body(body);
      REQUIRE(body["event"] == event);
    } else {
      check_atoms_live_body(body, event);
    }
  } else if (name == "fonedynamics") {
    const Params params = parse_form(text);
    check_fd_params(params);
    REQUIRE(param(params, "Event") == event);
    // With method GET the same parameters come as a URL's query.
    const auto get = run_callhook({"sample", name, event, "--config", R"({"method":"GET"})"});
    REQUIRE(get.exit_code == 0);
    std::smatch m;
    const std::string url = get.out.substr(0, get.out.size() - 1);
    REQUIRE(std::regex_match(url, m, std::regex(R"(https?://[^?]+\?(.*))")));
    REQUIRE(parse_form(m[1].str()) == params);
  } else if (name == "exotel") {
    // Passthru: a GET URL with its query; StatusCallback: a form body.
    std::smatch m;
    const bool get = std::regex_match(text, m, std::regex(R"(https?://[^?]+\?(.*))"));
    REQUIRE(get == (event == "passthru"));
    const Params params = parse_form(get ? m[1].str() : text);
    REQUIRE(std::regex_match(param(params, "CallSid").value_or(""), std::regex("[0-9a-f]{32}")));
    REQUIRE(param(params, event == "passthru" ? "CallType" : "DateUpdated"));
  } else {
    REQUIRE(name == "voicekit");
    const OJ body = OJ::parse(text);
    check_voicekit_body(body);
    REQUIRE(body["event"] == (event == "callStartedHook" ? "call_started_hook" : event));
  }
}

}  // namespace

TEST_CASE("sample prints every listed event of every vendor in the vendor's format", "[integration][vendors]") {
  const auto listing = run_callhook({"vendors"});
  REQUIRE(listing.exit_code == 0);
  // "name  (title)" then "  events:     a, b, c".
  std::map<std::string, std::vector<std::string>> events_of;
  std::string vendor;
  std::stringstream in(listing.out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (std::regex_match(line, m, std::regex(R"(([a-z]+)\s+\(.*\))"))) vendor = m[1];
    if (std::regex_match(line, m, std::regex(R"(\s+events:\s+(.*))"))) {
      std::stringstream list(m[1].str());
      for (std::string e; std::getline(list, e, ',');) events_of[vendor].push_back(e.substr(e.find_first_not_of(' ')));
    }
  }
  REQUIRE(events_of.size() == callhook::vendors::registry().size());
  for (const auto& v : callhook::vendors::registry()) CHECK(events_of[v.name] == v.events);

  // Events that need a documented vendor_config setting to be sent at all.
  const std::map<std::string, std::string> config_for = {
      {"atoms/pre-conversation", R"({"format":"live"})"},
      {"atoms/post-conversation", R"({"format":"live"})"},
      {"atoms/analytics-completed", R"({"format":"live"})"},
      {"voicekit/callStartedHook", R"({"call_started_hook":"http://127.0.0.1:9/hook"})"},
  };
  std::size_t checked = 0;
  for (const auto& [name, events] : events_of) {
    for (const auto& event : events) {
      // Only a caller who wants an agent makes it; its own test case below.
      if (name == "voicebot" && event == "pre_agent_transfer") continue;
      const std::string key = name + "/" + event;
      check_sample(name, event, config_for.count(key) ? config_for.at(key) : "");
      ++checked;
    }
  }
  REQUIRE(checked == 4 + 4 + 2 + 6 + 2 + 4);
}

TEST_CASE("sample prints a voicebot pre_agent_transfer body", "[integration][vendors]") {
  check_sample("voicebot", "pre_agent_transfer", "");
}

TEST_CASE("shipped scenarios play only Voiceflow's documented platforms, so every leg has a callSid",
          "[integration][vendors]") {
  // telnyx and vonage legs carry undocumented metadata (callControlID,
  // callUUID; docs/vendors.md): no shipped scenario asks for them.
  int voiceflow_streams = 0;
  for (const auto& entry : std::filesystem::directory_iterator(callhook::testing::source_path("scenarios"))) {
    if (entry.path().extension() != ".json") continue;
    const json doc = json::parse(std::ifstream(entry.path()), nullptr, true, true);
    for (const auto& stream : doc.value("streams", json::array())) {
      if (stream.value("vendor", "") != "voiceflow") continue;
      ++voiceflow_streams;
      const json mix = stream.value("calls", json::object()).value("platform", json::object());
      if (mix.is_string()) {
        CHECK((mix == "twilio" || mix == "web-voice"));
        continue;
      }
      for (const auto& [platform, weight] : mix.items()) {
        INFO(entry.path().filename().string() << " " << platform);
        CHECK((platform == "twilio" || platform == "web-voice"));
      }
    }
  }
  CHECK(voiceflow_streams > 0);

  Receiver receiver;
  const auto run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--target", receiver.url() + "/hooks",
                                 "--speed", "max", "--progress", "never", "--quiet"});
  REQUIRE(run.exit_code == 0);
  int legs = 0;
  for (const auto& r : receiver.received()) {
    const json body = json::parse(r.body);
    if (body["type"] != "runtime.call.start") continue;
    ++legs;
    const auto& data = body["data"];
    INFO(r.body);
    if (data["platform"] == "twilio")
      CHECK(std::regex_match(data["metadata"]["callSid"].get<std::string>(), std::regex("CA[0-9a-f]{32}")));
    else
      CHECK(data["platform"] == "web-voice");
  }
  CHECK(legs > 0);
}
