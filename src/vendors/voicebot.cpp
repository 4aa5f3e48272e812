#include "vendors/voicebot.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <vector>

#include "util/ids.hpp"
#include "util/rng.hpp"
#include "util/time_format.hpp"
#include "vendors/common.hpp"

namespace callhook::vendors {
namespace {

const std::vector<std::string> k_webhook_types = {"session_start", "session_end", "pre_agent_transfer",
                                                  "insights_events", "transcript_events"};
const std::vector<std::string> k_insight_types = {"sentiment", "summary", "intent", "entity", "outcome"};
const std::vector<std::string> k_intents = {"general_inquiry", "billing_question", "order_status", "technical_support"};
constexpr std::size_t k_max_custom_parameters = 3;
constexpr std::size_t k_max_custom_characters = 256;
constexpr std::int64_t k_transfer_pause_ms = 300;  // bot pause before it speaks the transfer message
constexpr std::int64_t k_hangup_ms = 500;          // transfer done to session closed

struct Webhook {
  std::string url;
  bool enabled = true;
};

struct VoiceBotConfig {
  std::string bot_id;
  std::string bot_name = "support-bot";
  std::string account_id;
  std::optional<std::string> landing_number;  // nullopt: the call's agent number
  std::string network_type = "pstn";
  std::string call_sid_prefix = "CA";
  std::string sip_domain = "sip.example.com";
  std::map<std::string, Webhook> webhooks;
  std::string trigger_type = "timer";
  std::int64_t trigger_interval_sec = 30;
  std::vector<std::string> insight_types = k_insight_types;
  bool progress = true;
  std::int64_t progress_after_ms = 1000;
  bool sequence_per_webhook = false;
  std::map<std::string, std::string> custom_parameters;
};

std::size_t custom_characters(const std::map<std::string, std::string>& params) {
  std::size_t total = 0;
  for (const auto& [key, value] : params) total += key.size() + value.size();
  return total;
}

// Vendor and call parameters together; the call's win on equal keys. Keys
// (in key order) that no longer fit VoiceBot's limits are left out, as the
// platform accepts no more.
std::map<std::string, std::string> merge_custom(const std::map<std::string, std::string>& vendor,
                                                const std::map<std::string, std::string>& call) {
  std::map<std::string, std::string> all = vendor;
  for (const auto& [key, value] : call) all[key] = value;
  std::map<std::string, std::string> kept;
  std::size_t characters = 0;
  for (const auto& [key, value] : all) {
    if (kept.size() == k_max_custom_parameters) break;
    if (characters + key.size() + value.size() > k_max_custom_characters) continue;
    characters += key.size() + value.size();
    kept[key] = value;
  }
  return kept;
}

// {"http_code":200,"response":{"data":{...}}}: the cursor at data, or
// nullopt (with problems) for anything else, the error shape included.
std::optional<util::Cursor> answer_data(const util::Cursor& root) {
  if (!root.keys({"http_code", "response"})) return std::nullopt;
  const auto code_cursor = root["http_code"];
  code_cursor.require();
  const auto code = code_cursor.integer(100, 599);
  const auto response = root["response"];
  response.require();
  if (!response.exists() || !response.keys({"data", "error_data"})) return std::nullopt;
  const auto error = response["error_data"];
  if (code && *code != 200) {
    if (error.exists() && error.node()->is_object()) {
      std::string detail = "the receiver answered with the documented error shape (http_code " + std::to_string(*code);
      const auto& e = *error.node();
      if (auto it = e.find("error_code"); it != e.end() && it->is_string()) detail += ", error_code " + it->dump();
      if (auto it = e.find("message"); it != e.end() && it->is_string()) detail += ": " + it->get<std::string>();
      error.problems().add(error.pointer(), detail + ")");
    } else {
      code_cursor.fail("expected 200, got " + std::to_string(*code));
    }
    return std::nullopt;
  }
  if (error.present()) error.fail("error_data in an answer with http_code 200");
  const auto data = response["data"];
  data.require();
  if (!code || !data.exists() || !data.is_object()) return std::nullopt;
  return data;
}

class VoiceBotSession final : public Session {
 public:
  VoiceBotSession(std::shared_ptr<const VoiceBotConfig> config, const population::Call& call)
      : m_config(std::move(config)), m_call(call) {
    util::Rng rng{m_call.seed};
    m_session_id = util::uuid4(rng);
    m_conversation_id = util::uuid4(rng);
    m_call_sid = m_config->call_sid_prefix + util::hex_id(rng, 32);
    m_intent = k_intents[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(k_intents.size()) - 1))];
    m_insight_rng = util::Rng{util::derive(m_call.seed, 0, 0, "voicebot/insights")};
    m_network_type = m_call.platform.empty() ? m_config->network_type : m_call.platform;
    m_contact_uri =
        m_network_type == "sip" ? "sip:" + m_call.user_number + "@" + m_config->sip_domain : m_call.user_number;
    m_landing_number = m_config->landing_number.value_or(m_call.agent_number);
    m_custom_parameters = merge_custom(m_config->custom_parameters, m_call.custom_parameters);
    for (const auto& [type, hook] : m_config->webhooks) m_urls[type] = hook.url;
    if (auto it = m_custom_parameters.find("call_setup_url");
        it != m_custom_parameters.end() && is_http_url(it->second))
      m_urls["session_start"] = it->second;
    m_interval_sec = m_config->trigger_interval_sec;
    m_turns = m_call.turns;
  }

  // webhooks.<type>.enabled: false switches a type off.
  static bool sends_event(const VoiceBotConfig& config, std::string_view event) {
    const auto it = config.webhooks.find(std::string(event));
    return it == config.webhooks.end() || it->second.enabled;
  }

  std::vector<Delivery> start() override {
    if (!m_config->webhooks.at("session_start").enabled) {
      m_stage = Stage::Running;
      return run();
    }
    m_stage = Stage::Starting;
    auto d = deliver("session_start", body("session_start", "start", std::nullopt, OJson::array()), m_call.start_ms);
    d.blocking = true;
    return {d};
  }

  // end_before_start: session_end goes out before the session_start
  // handshake, to the configured endpoint, ending when the call would end
  // without the answer; the answer is still parsed (findings, overrides for
  // the rest), and the session sends no second session_end.
  std::optional<Delivery> send_ahead(std::string_view event) override {
    if (event != "session_end" || m_stage != Stage::Starting || !enabled("session_end") || m_end_sent)
      return std::nullopt;
    m_end_sent = true;
    const std::int64_t end = m_call.wants_agent ? bot_end_ms() + k_hangup_ms : bot_end_ms();
    return deliver("session_end", body("session_end", "end", end, OJson::array()), end);
  }

  std::vector<Delivery> resume(const Delivery&, const Answer& answer, std::vector<Finding>& findings) override {
    if (m_stage == Stage::Starting) {
      m_stage = Stage::Running;
      handle_start_answer(answer, findings);
      return run();
    }
    if (m_stage == Stage::Transferring) {
      m_stage = Stage::Done;
      return finish_transfer(transfer_message(answer, findings));
    }
    return {};
  }

 private:
  enum class Stage { New, Starting, Running, Transferring, Done };

  void handle_start_answer(const Answer& answer, std::vector<Finding>& findings) {
    const std::string fallback = "; using the configured endpoints";
    if (!answer.delivered) {
      findings.push_back({m_call_sid, "session_start",
                          "session_start answer: not delivered (" + not_delivered_reason(answer) + ")" + fallback});
      return;
    }
    util::Problems problems;
    const VoiceBotOverrides overrides = parse_session_start_answer(answer.body, problems);
    if (!problems.empty()) {
      findings.push_back({m_call_sid, "session_start", "session_start answer: " + join_problems(problems) + fallback});
      return;
    }
    for (const auto& [type, url] : overrides.urls) m_urls[type] = url;
    if (overrides.trigger_interval_sec) m_interval_sec = *overrides.trigger_interval_sec;
    m_session_constants = overrides.session_constants;
    if (overrides.greeting) apply_greeting(*overrides.greeting);
  }

  // The greeting replaces the bot's opening line, or opens the call when the
  // caller speaks first.
  void apply_greeting(const std::string& text) {
    if (!m_turns.empty() && m_turns.front().speaker == "assistant") {
      m_turns.front().text = text;
      return;
    }
    population::Turn greeting{"assistant", text, 0, speaking_ms(text)};
    m_turns.insert(m_turns.begin(), greeting);
  }

  std::optional<std::string> transfer_message(const Answer& answer, std::vector<Finding>& findings) {
    const std::string fallback = "; transferring without a transfer message";
    if (!answer.delivered) {
      findings.push_back(
          {m_call_sid, "pre_agent_transfer",
           "pre_agent_transfer answer: not delivered (" + not_delivered_reason(answer) + ")" + fallback});
      return std::nullopt;
    }
    util::Problems problems;
    auto text = parse_agent_transfer_answer(answer.body, problems);
    if (!problems.empty()) {
      findings.push_back(
          {m_call_sid, "pre_agent_transfer", "pre_agent_transfer answer: " + join_problems(problems) + fallback});
      return std::nullopt;
    }
    m_transfer_message = text;
    return text;
  }

  bool enabled(const std::string& type) const { return m_config->webhooks.at(type).enabled; }

  // Everything from the end of the handshake to session_end, or up to the
  // blocking pre_agent_transfer for a caller who wants a human.
  // When the bot's part ends: the call's end, or, for a caller who wants
  // an agent, the end of the last turn (the transfer starts there).
  std::int64_t bot_end_ms() const {
    if (!m_call.wants_agent) return m_call.end_ms();
    std::int64_t last = m_call.duration_ms;
    if (!m_turns.empty()) {
      last = 0;
      for (const auto& t : m_turns) last = std::max(last, t.end_ms);
    }
    return m_call.start_ms + std::clamp<std::int64_t>(last, 0, m_call.duration_ms);
  }

  std::vector<Delivery> run() {
    const std::int64_t t0 = m_call.start_ms;
    const std::int64_t bot_end = bot_end_ms();
    m_transfer_ms = bot_end;

    // Plan first, render in time order: event ids, sequences and insight
    // status all depend on what was sent before.
    struct Item {
      std::int64_t due;
      enum Kind { Progress, Complete, Insight } kind;
      std::size_t index;
    };
    std::vector<Item> items;
    if (enabled("transcript_events")) {
      for (std::size_t i = 0; i < m_turns.size(); ++i) {
        const auto& t = m_turns[i];
        const std::int64_t begin = t0 + t.start_ms;
        if (begin >= bot_end) continue;
        const std::int64_t end = std::min(t0 + std::max(t.end_ms, t.start_ms), bot_end);
        if (m_config->progress && begin + m_config->progress_after_ms < end)
          items.push_back({begin + m_config->progress_after_ms, Item::Progress, i});
        items.push_back({end, Item::Complete, i});
      }
    }
    if (enabled("insights_events") && !m_config->insight_types.empty()) {
      for (std::size_t k = 1;; ++k) {
        const std::int64_t tick = t0 + static_cast<std::int64_t>(k) * m_interval_sec * 1000;
        if (tick >= bot_end) break;
        items.push_back({tick, Item::Insight, k});
      }
    }
    std::stable_sort(items.begin(), items.end(), [](const Item& a, const Item& b) { return a.due < b.due; });

    std::vector<Delivery> batch;
    for (const auto& item : items) {
      if (item.kind == Item::Insight) {
        batch.push_back(insight_delivery(item.due));
      } else {
        const auto& t = m_turns[item.index];
        batch.push_back(transcript_delivery(t, item.index, item.kind == Item::Progress, item.due));
      }
    }
    if (m_call.wants_agent && enabled("pre_agent_transfer")) {
      m_stage = Stage::Transferring;
      auto d = deliver("pre_agent_transfer",
                       body("session_in_progress", "pre_agent_transfer", std::nullopt, OJson::array()), bot_end);
      d.blocking = true;
      batch.push_back(std::move(d));
    } else if (m_call.wants_agent) {
      m_stage = Stage::Done;
      auto rest = finish_transfer(std::nullopt);
      batch.insert(batch.end(), rest.begin(), rest.end());
    } else {
      m_stage = Stage::Done;
      if (enabled("session_end") && !m_end_sent)
        batch.push_back(deliver("session_end", body("session_end", "end", bot_end, OJson::array()), bot_end));
    }
    return batch;
  }

  // The bot says the transfer message (when the receiver gave one), hands
  // the caller over, and its session ends.
  std::vector<Delivery> finish_transfer(const std::optional<std::string>& message) {
    std::vector<Delivery> batch;
    std::int64_t end = m_transfer_ms + k_hangup_ms;
    if (message) {
      const std::int64_t offset = m_transfer_ms - m_call.start_ms + k_transfer_pause_ms;
      population::Turn said{"assistant", *message, offset, offset + speaking_ms(*message)};
      m_turns.push_back(said);
      const std::size_t index = m_turns.size() - 1;
      end = m_call.start_ms + said.end_ms + k_hangup_ms;
      if (enabled("transcript_events")) {
        const std::int64_t begin = m_call.start_ms + said.start_ms;
        if (m_config->progress && begin + m_config->progress_after_ms < m_call.start_ms + said.end_ms)
          batch.push_back(transcript_delivery(said, index, true, begin + m_config->progress_after_ms));
        batch.push_back(transcript_delivery(said, index, false, m_call.start_ms + said.end_ms));
      }
    }
    if (enabled("session_end") && !m_end_sent)
      batch.push_back(deliver("session_end", body("session_end", "end", end, OJson::array()), end));
    return batch;
  }

  Delivery transcript_delivery(const population::Turn& turn, std::size_t index, bool progress, std::int64_t due) {
    // Speech recognition marks a turn a little after it really starts and
    // ends; the lag is fixed per turn so progress and completion agree.
    util::Rng rng{util::derive(m_call.seed, index, 0, "voicebot/segment")};
    const std::int64_t start_us = (m_call.start_ms + turn.start_ms) * 1000 + rng.range(0, 249999);
    const std::int64_t end_lag_us = rng.range(0, 249999);
    const std::int64_t end_us = progress ? std::max(start_us, due * 1000 - end_lag_us)
                                         : std::max(start_us, (m_call.start_ms + turn.end_ms) * 1000 + end_lag_us);
    const std::int64_t sequence = m_config->sequence_per_webhook ? ++m_sequence : static_cast<std::int64_t>(index) + 1;
    OJson segment;
    segment["speaker"] = turn.speaker;
    segment["text"] = progress ? leading_words(turn.text, 0.5) : turn.text;
    segment["start_timestamp"] = util::iso8601_us(start_us);
    segment["end_timestamp"] = util::iso8601_us(end_us);
    OJson transcript;
    transcript["sequence"] = sequence;
    transcript["status"] = progress ? "inprogress" : "completed";
    transcript["transcript_segments"] = OJson::array({segment});
    OJson data;
    data["transcripts"] = OJson::array({transcript});
    OJson event;
    event["event_type"] = "transcript";
    event["event_id"] = next_event_id();
    event["event_data"] = data;
    return deliver(
        "transcript_events",
        body("session_in_progress", progress ? "turn_progress" : "turn_complete", std::nullopt, OJson::array({event})),
        due);
  }

  Delivery insight_delivery(std::int64_t tick) {
    const double elapsed = static_cast<double>(tick - m_call.start_ms) /
                           static_cast<double>(std::max<std::int64_t>(m_transfer_ms - m_call.start_ms, 1));
    const bool asks_for_agent = m_call.wants_agent && elapsed >= 0.5;
    const population::Turn* last_user = nullptr;
    std::size_t heard = 0;
    for (const auto& t : m_turns) {
      if (m_call.start_ms + t.end_ms > tick) continue;
      ++heard;
      if (t.speaker == "user") last_user = &t;
    }
    OJson events = OJson::array();
    for (const auto& type : m_config->insight_types) {
      const auto confidence = static_cast<double>(m_insight_rng.range(60, 99)) / 100.0;
      std::string value;
      std::string reason;
      std::int64_t score = std::llround(confidence * 100.0);
      if (type == "sentiment") {
        static const std::vector<std::string> moods = {"positive", "neutral", "negative"};
        const auto previous = m_last_insight.find(type);
        if (previous != m_last_insight.end() && m_insight_rng.chance(0.7))
          value = previous->second;
        else
          value = moods[m_insight_rng.weighted(std::vector<double>{0.4, 0.45, 0.15})];
        if (value == "positive") {
          score = m_insight_rng.range(70, 95);
          reason = "the caller sounds satisfied";
        } else if (value == "neutral") {
          score = m_insight_rng.range(45, 69);
          reason = "no strong emotion detected";
        } else {
          score = m_insight_rng.range(10, 44);
          reason = "the caller sounds frustrated";
        }
      } else if (type == "summary") {
        value = last_user ? "The caller said: \"" + leading_words(last_user->text, 1.0) + "\""
                          : "The assistant greeted the caller.";
        reason = std::to_string(heard) + " turns so far";
      } else if (type == "intent") {
        value = asks_for_agent ? "talk_to_agent" : m_intent;
        reason = "inferred from the caller's words";
      } else if (type == "entity") {
        value = "caller_number: " + m_call.user_number;
        reason = "caller id of the call";
      } else {
        value = asks_for_agent ? "agent_transfer_requested" : "in_progress";
        reason = asks_for_agent ? "the caller asked for a human agent" : "the conversation is still running";
      }
      const auto previous = m_last_insight.find(type);
      const bool changed = previous == m_last_insight.end() || previous->second != value;
      m_last_insight[type] = value;
      OJson data;
      data["value"] = value;
      data["confidence"] = confidence;
      data["status"] = changed ? "changed" : "unchanged";
      data["timestamp"] = util::iso8601_s(tick);
      data["score"] = score;
      data["reason"] = reason;
      OJson event;
      event["event_type"] = type;
      event["event_id"] = next_event_id();
      event["event_data"] = data;
      events.push_back(event);
    }
    return deliver("insights_events", body("session_in_progress", "timer", std::nullopt, events), tick);
  }

  std::string next_event_id() { return "evt_" + std::to_string(++m_events); }

  // The common request format, every field, in the document's order.
  std::string body(std::string_view state, std::string_view reason, std::optional<std::int64_t> end_ms,
                   OJson events) const {
    OJson b;
    b["session_id"] = m_session_id;
    b["conversation_id"] = m_conversation_id;
    b["start_time"] = util::iso8601_ms(m_call.start_ms);
    b["end_time"] = end_ms ? OJson(util::iso8601_ms(*end_ms)) : OJson(nullptr);
    b["landing_number"] = m_landing_number;
    b["external_id"] = m_call_sid;
    b["session_state"] = state;
    b["trigger_reason"] = reason;
    b["contact_uri"] = m_contact_uri;
    b["network_type"] = m_network_type;
    b["account_id"] = m_config->account_id;
    b["bot_id"] = m_config->bot_id;
    b["bot_name"] = m_config->bot_name;
    OJson metadata;
    metadata["call_sid"] = m_call_sid;
    metadata["stream_sid"] = "";
    b["metadata"] = metadata;
    OJson custom = OJson::object();
    for (const auto& [key, value] : m_custom_parameters) custom[key] = value;
    b["custom_parameters"] = custom;
    b["events"] = std::move(events);
    return dump(b);
  }

  Delivery deliver(const std::string& type, std::string text, std::int64_t due) const {
    return make_delivery(type, m_urls.at(type), "POST", "application/json", std::move(text), due, m_call_sid,
                         "/trigger_reason");
  }

 public:
  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = m_call_sid;
    f.session_id = m_session_id;
    f.vendor = {{"conversation_id", m_conversation_id}, {"intent", m_intent}};
    return f;
  }

 private:
  std::shared_ptr<const VoiceBotConfig> m_config;
  population::Call m_call;
  Stage m_stage = Stage::New;
  std::string m_session_id;
  std::string m_conversation_id;
  std::string m_call_sid;
  std::string m_intent;
  std::string m_network_type;
  std::string m_contact_uri;
  std::string m_landing_number;
  std::map<std::string, std::string> m_custom_parameters;
  std::map<std::string, std::string> m_urls;  // this session's endpoint per webhook type
  std::int64_t m_interval_sec = 30;
  std::map<std::string, std::string> m_session_constants;  // kept for the session, not echoed
  std::optional<std::string> m_transfer_message;
  std::vector<population::Turn> m_turns;
  std::int64_t m_transfer_ms = 0;
  std::int64_t m_events = 0;
  std::int64_t m_sequence = 0;
  bool m_end_sent = false;  // session_end went out ahead of the handshake (end_before_start)
  std::map<std::string, std::string> m_last_insight;
  util::Rng m_insight_rng;
};

std::unique_ptr<Vendor> configure_voicebot(const util::Cursor& config, const StreamContext& context,
                                           util::Problems& problems) {
  const std::size_t before = problems.size();
  auto c = std::make_shared<VoiceBotConfig>();
  util::Rng rng{util::derive(context.seed, 0, 0, "voicebot/bot_id")};
  c->bot_id = util::uuid4(rng);
  for (const auto& type : k_webhook_types) c->webhooks[type] = {context.target, true};
  if (config.exists()) {
    config.keys({"bot_id", "bot_name", "account_id", "landing_number", "network_type", "call_sid_prefix", "sip_domain",
                 "webhooks", "insights", "transcripts", "custom_parameters"});
  }
  c->bot_id = config["bot_id"].string(false).value_or(c->bot_id);
  c->bot_name = config["bot_name"].string_or(c->bot_name);
  c->account_id = config["account_id"].string_or(c->account_id);
  if (auto landing = config["landing_number"].string()) c->landing_number = *landing;
  c->network_type = config["network_type"].one_of({"pstn", "sip"}).value_or(c->network_type);
  c->call_sid_prefix = config["call_sid_prefix"].string_or(c->call_sid_prefix);
  c->sip_domain = config["sip_domain"].string(false).value_or(c->sip_domain);

  const auto webhooks = config["webhooks"];
  if (webhooks.exists() && webhooks.keys(k_webhook_types)) {
    for (const auto& type : k_webhook_types) {
      const auto hook = webhooks[type];
      if (!hook.exists() || !hook.keys({"url", "enabled"})) continue;
      if (auto url = read_url(hook["url"])) c->webhooks[type].url = *url;
      c->webhooks[type].enabled = hook["enabled"].boolean_or(true);
    }
  }

  const auto insights = config["insights"];
  if (insights.exists() && insights.keys({"trigger_type", "trigger_interval_sec", "types"})) {
    c->trigger_type = insights["trigger_type"].one_of({"timer"}).value_or(c->trigger_type);
    c->trigger_interval_sec = insights["trigger_interval_sec"].integer_or(c->trigger_interval_sec, 1);
    const auto types = insights["types"];
    if (types.exists() && types.is_array()) {
      std::vector<std::string> chosen;
      for (std::size_t i = 0; i < types.size(); ++i) {
        const auto t = types.at(i).one_of({"sentiment", "summary", "intent", "entity", "outcome"});
        if (!t) continue;
        if (std::find(chosen.begin(), chosen.end(), *t) != chosen.end())
          types.at(i).fail("listed twice");
        else
          chosen.push_back(*t);
      }
      c->insight_types = chosen;
    }
  }

  const auto transcripts = config["transcripts"];
  if (transcripts.exists() && transcripts.keys({"progress", "progress_after_ms", "sequence"})) {
    c->progress = transcripts["progress"].boolean_or(c->progress);
    c->progress_after_ms = transcripts["progress_after_ms"].integer_or(c->progress_after_ms, 0);
    c->sequence_per_webhook = transcripts["sequence"].one_of({"turn", "webhook"}).value_or("turn") == "webhook";
  }

  const auto custom = config["custom_parameters"];
  c->custom_parameters = read_string_map(custom);
  if (custom.exists() && custom.node()->is_object()) {
    if (custom.size() > k_max_custom_parameters)
      custom.fail("at most " + std::to_string(k_max_custom_parameters) + " custom parameters, got " +
                  std::to_string(custom.size()));
    const std::size_t characters = custom_characters(c->custom_parameters);
    if (characters > k_max_custom_characters)
      custom.fail("at most " + std::to_string(k_max_custom_characters) +
                  " characters in keys and values together, got " + std::to_string(characters));
    if (custom["call_setup_url"].exists()) read_url(custom["call_setup_url"]);
  }

  if (problems.size() != before) return nullptr;
  return std::make_unique<SessionFactory<VoiceBotSession, VoiceBotConfig>>(std::move(c));
}

}  // namespace

VoiceBotOverrides parse_session_start_answer(const std::string& body, util::Problems& problems) {
  VoiceBotOverrides out;
  const auto parsed = parse_answer(body, problems, "JSON");
  if (!parsed) return out;
  const auto data = answer_data(util::Cursor(&*parsed, "", problems));
  if (!data) return out;
  data->keys({"greeting_message", "session_constants", "conversation_assistant_id", "webhook_config"});

  const auto greeting = (*data)["greeting_message"];
  if (greeting.exists() && greeting.keys({"text"})) {
    greeting["text"].require();
    out.greeting = greeting["text"].string(false);
  }
  const auto constants = (*data)["session_constants"];
  if (constants.exists()) out.session_constants = read_string_map(constants);
  out.conversation_assistant_id = (*data)["conversation_assistant_id"].string();

  const auto config = (*data)["webhook_config"];
  if (config.exists() && config.keys(k_webhook_types)) {
    if (config["session_start"].exists())
      config["session_start"].fail("session_start cannot be overridden by its own answer");
    for (const std::string type : {"session_end", "pre_agent_transfer", "insights_events", "transcript_events"}) {
      const auto hook = config[type];
      if (!hook.exists()) continue;
      const bool insights = type == "insights_events";
      if (!(insights ? hook.keys({"url", "trigger_type", "trigger_interval_sec"}) : hook.keys({"url"}))) continue;
      hook["url"].require();
      if (auto url = read_url(hook["url"])) out.urls[type] = *url;
      if (insights) {
        out.insights_trigger_type = hook["trigger_type"].one_of({"timer"});
        out.trigger_interval_sec = hook["trigger_interval_sec"].integer(1);
      }
    }
  }
  return out;
}

std::optional<std::string> parse_agent_transfer_answer(const std::string& body, util::Problems& problems) {
  const auto parsed = parse_answer(body, problems, "JSON");
  if (!parsed) return std::nullopt;
  const auto data = answer_data(util::Cursor(&*parsed, "", problems));
  if (!data || !data->keys({"agent_transfer_message"})) return std::nullopt;
  const auto message = (*data)["agent_transfer_message"];
  if (!message.exists() || !message.keys({"text"})) return std::nullopt;
  message["text"].require();
  return message["text"].string(false);
}

const VendorInfo& voicebot_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "voicebot";
    i.title = "Exotel VoiceBot webhooks";
    i.events = k_webhook_types;
    i.events_note = "pre_agent_transfer only for callers who want an agent (calls.transfer_p).";
    i.roles = {{"session_start", Role::Start, ""},
               {"session_end", Role::End, "session_start"},
               {"transcript_events", Role::Transcript, ""}};
    // VoiceBot names no event; each trigger reason belongs to one webhook type
    // (pre_agent_transfer is its own).
    i.webhook.reason_key = "trigger_reason";
    i.webhook.reason_events = {{"start", "session_start"},
                               {"turn_progress", "transcript_events"},
                               {"turn_complete", "transcript_events"},
                               {"timer", "insights_events"},
                               {"end", "session_end"}};
    i.webhook.call_id_pointers = {"/external_id"};
    i.platforms = {"pstn", "sip"};
    i.facts = {"conversation_id", "intent"};
    i.transport = "POST JSON";
    i.defaults.timeout_ms = 15000;
    i.defaults.retry = retry_policy(3, {1000, 5000});
    i.defaults.signing = "none";
    i.configure = &configure_voicebot;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
