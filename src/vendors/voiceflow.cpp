// Voiceflow: four POST JSON events per phone session, shaped as the
// document's examples. Calls and sessions are not one to one: a caller who
// calls back while the session is live gets a second call.start/call.end
// pair on the same session, and session.end follows the last call.end by a
// few seconds (or comes at the idle timeout).
#include "vendors/voiceflow.hpp"

#include <algorithm>
#include <string_view>
#include <utility>

#include "util/ids.hpp"
#include "util/json_writer.hpp"
#include "util/rng.hpp"
#include "vendors/common.hpp"

namespace callhook::vendors {
namespace {

struct VoiceflowConfig {
  std::string target;
  std::string project_id;
  std::string environment_id;
  scenario::Mix end_reasons = {{"hangup", 0.85}, {"end trace", 0.1}, {"twiml", 0.05}};
  std::int64_t session_end_min_ms = 2000;
  std::int64_t session_end_max_ms = 5000;
  double idle_timeout_p = 0;
  std::int64_t idle_timeout_ms = 300000;
  bool extra_fields = false;
  bool prototype_outbound = false;  // outbound calls are "prototype-outbound" test calls
  // Derived once from the fields above (configure), not per delivery.
  std::vector<double> end_reason_weights;  // end_reasons' weights, in order
  // Members every payload of the project carries, written as JSON once
  // (per session they would cost more memory than their escaping saves).
  std::string ids_members;      // "environmentID":...,"projectID":...
  std::string resource_member;  // "resource":"project-<project_id>"
  std::string extra_members;    // extra_fields' members, "" when they are off
};

// What planning a session reads of its call: views into the population's
// call, which outlives the planning (the turns and the rest stay there).
struct CallFacts {
  explicit CallFacts(const population::Call& call)
      : seed(call.seed),
        start_ms(call.start_ms),
        end_ms(call.end_ms()),
        return_after_ms(call.return_after_ms),
        return_duration_ms(call.return_duration_ms),
        outbound(call.direction == "outbound"),
        platform(call.platform.empty() ? std::string_view("twilio") : std::string_view(call.platform)),
        user_number(call.user_number),
        agent_number(call.agent_number) {}
  std::uint64_t seed;
  std::int64_t start_ms;
  std::int64_t end_ms;
  std::int64_t return_after_ms;
  std::int64_t return_duration_ms;
  bool outbound;
  std::string_view platform;
  std::string_view user_number;
  std::string_view agent_number;
};

// One call leg of a session: a call.start / call.end pair.
struct Leg {
  std::string id;  // callSid (twilio) or the platform's call id
  std::int64_t start_ms;
  std::int64_t end_ms;
  std::string end_reason;
};

class VoiceflowSession final : public Session {
 public:
  // The whole session is planned here, while the population's call is at
  // hand: a session lives as long as its call, tens of thousands of them at
  // once under load, so it keeps only what facts() reports.
  VoiceflowSession(const VoiceflowConfig& config, const population::Call& call) : m_config(config) {
    m_planned = plan(CallFacts(call));
  }

  std::vector<Delivery> start() override { return std::exchange(m_planned, {}); }

  std::vector<Delivery> resume(const Delivery&, const Answer&, std::vector<Finding>&) override { return {}; }

  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = m_call_id;
    f.session_id = m_session_id;
    f.end_reason = m_end_reason;
    f.vendor = {
        {"user_id", m_user_id}, {"project_id", m_config.project_id}, {"environment_id", m_config.environment_id}};
    return f;
  }

 private:
  std::vector<Delivery> plan(const CallFacts& call) {
    util::Rng rng(util::derive(call.seed, 0, 0, "voiceflow"));
    m_phone = call.platform != "web-voice";
    m_session_id = util::hex_id(rng, 24);
    m_user_id = m_phone ? std::string(call.user_number) : util::lower_alnum_id(rng, 24);

    std::vector<Leg> legs;
    legs.push_back({call_id(rng, call), call.start_ms, call.end_ms, end_reason(rng, call)});
    if (call.return_after_ms >= 0) {
      const std::int64_t again = call.end_ms + call.return_after_ms;
      legs.push_back({call_id(rng, call), again, again + std::max<std::int64_t>(1000, call.return_duration_ms),
                      end_reason(rng, call)});
    }
    const std::string& first_id = legs.front().id;
    m_call_id = m_phone ? first_id : m_session_id;
    m_end_reason = legs.front().end_reason;

    std::vector<Delivery> out;
    out.reserve(2 * legs.size() + 2);
    const std::int64_t session_start = call.start_ms + rng.range(5, 30);
    std::int64_t last_end = 0;
    for (const Leg& leg : legs) {
      out.push_back(call_event(call, "runtime.call.start", leg, leg.start_ms + rng.range(40, 120), false));
      if (&leg == &legs.front())
        out.push_back(session_event("runtime.session.start", session_start, 0, session_start + rng.range(20, 60)));
      out.push_back(call_event(call, "runtime.call.end", leg, leg.end_ms + rng.range(30, 110), true));
      last_end = leg.end_ms;
    }
    const bool idle = rng.chance(m_config.idle_timeout_p);
    const std::int64_t session_end =
        idle ? last_end + m_config.idle_timeout_ms
             : last_end + rng.range(m_config.session_end_min_ms, m_config.session_end_max_ms);
    out.push_back(session_event("runtime.session.end", session_start, session_end, session_end + rng.range(40, 100)));
    sort_by_due(out);
    return out;
  }

  static std::string call_id(util::Rng& rng, const CallFacts& call) {
    if (call.platform == "twilio") return "CA" + util::hex_id(rng, 32);
    if (call.platform == "telnyx") return "v3:" + util::base62_id(rng, 43);
    if (call.platform == "vonage") return util::uuid4(rng);
    return "";
  }

  std::string end_reason(util::Rng& rng, const CallFacts& call) const {
    if (call.outbound && rng.chance(0.05)) return "answering machine";
    return m_config.end_reasons[rng.weighted(m_config.end_reason_weights)].first;
  }

  Delivery make(std::string event, std::int64_t time, std::string body) const {
    Delivery d;
    d.event = std::move(event);
    d.url = m_config.target;
    d.body = std::move(body);
    d.due_ms = time;
    d.call_id = m_call_id;
    d.event_field = "/type";
    return d;
  }

  Delivery call_event(const CallFacts& call, const char* type, const Leg& leg, std::int64_t time, bool end) const {
    std::string body;
    body.reserve(512);
    util::JsonWriter w(body);
    w.begin_object().field("type", type).key("data").begin_object();
    w.field("userID", m_user_id).members(m_config.ids_members).field("startTime", leg.start_ms);
    if (end) w.field("endTime", leg.end_ms).field("endReason", leg.end_reason);
    w.field("platform", call.platform).key("metadata").begin_object();
    if (m_phone) {
      w.field(call.platform == "twilio" ? "callSid" : call.platform == "telnyx" ? "callControlID" : "callUUID", leg.id);
      const bool outbound = call.outbound;
      w.field("callType", outbound ? (m_config.prototype_outbound ? "prototype-outbound" : "outbound") : "inbound");
      w.field("userNumber", call.user_number).field("agentNumber", call.agent_number);
    }
    w.end_object();
    w.members(m_config.extra_members);
    w.end_object().field("time", time).members(m_config.resource_member).end_object();
    Delivery d = make(type, time, std::move(body));
    if (m_phone) d.call_id = leg.id;
    return d;
  }

  // Keys in the order the document's session examples show them.
  Delivery session_event(const char* type, std::int64_t start, std::int64_t end, std::int64_t time) const {
    std::string body;
    body.reserve(384);
    util::JsonWriter w(body);
    w.begin_object().field("type", type).key("data").begin_object();
    if (end > 0) w.field("endTime", end);
    w.members(m_config.ids_members).field("sessionID", m_session_id).field("startTime", start);
    w.field("userID", m_user_id);
    w.members(m_config.extra_members);
    w.end_object().members(m_config.resource_member).field("time", time).end_object();
    return make(type, time, std::move(body));
  }

  const VoiceflowConfig& m_config;
  std::vector<Delivery> m_planned;  // until start() hands them out
  bool m_phone = true;
  std::string m_session_id;
  std::string m_user_id;
  std::string m_call_id;
  std::string m_end_reason;  // the first call leg's
};

class Voiceflow final : public Vendor {
 public:
  explicit Voiceflow(VoiceflowConfig config) : m_config(std::move(config)) {}
  std::unique_ptr<Session> open(const population::Call& call) const override {
    return std::make_unique<VoiceflowSession>(m_config, call);
  }

 private:
  VoiceflowConfig m_config;
};

bool is_hex24(const std::string& s) {
  return s.size() == 24 &&
         std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::unique_ptr<Vendor> configure_voiceflow(const util::Cursor& c, const StreamContext& context,
                                            util::Problems& problems) {
  const std::size_t before = problems.size();
  VoiceflowConfig config;
  config.target = context.target;
  util::Rng rng(util::derive(context.seed, 0, 0, "voiceflow-project"));
  config.project_id = util::hex_id(rng, 24);
  config.environment_id = util::hex_id(rng, 24);
  if (c.exists() && c.keys({"project_id", "environment_id", "end_reasons", "session_end_delay_ms", "idle_timeout_p",
                            "idle_timeout_s", "extra_fields", "prototype_outbound"})) {
    for (auto [key, field] :
         {std::pair{"project_id", &config.project_id}, {"environment_id", &config.environment_id}}) {
      if (auto v = c[key].string()) {
        if (is_hex24(*v))
          *field = *v;
        else
          c[key].fail_expected("24 lowercase hex characters");
      }
    }
    if (c["end_reasons"].is_object()) {
      config.end_reasons.clear();
      for (auto it = c["end_reasons"].node()->begin(); it != c["end_reasons"].node()->end(); ++it)
        if (auto w = c["end_reasons"][it.key()].number(0)) config.end_reasons.emplace_back(it.key(), *w);
      if (config.end_reasons.empty()) c["end_reasons"].fail("expected at least one reason with a weight");
    }
    if (auto range = c["session_end_delay_ms"]; range.exists()) {
      if (range.node()->is_array() && range.size() == 2) {
        config.session_end_min_ms = range.at(0).integer_or(2000, 0);
        config.session_end_max_ms = range.at(1).integer_or(5000, config.session_end_min_ms);
      } else {
        range.fail_expected("[min, max] in milliseconds");
      }
    }
    config.idle_timeout_p = c["idle_timeout_p"].number_or(0, 0, 1);
    config.idle_timeout_ms = c["idle_timeout_s"].integer_or(300, 1) * 1000;
    config.extra_fields = c["extra_fields"].boolean_or(false);
    config.prototype_outbound = c["prototype_outbound"].boolean_or(false);
  }
  if (problems.size() != before) return nullptr;
  for (const auto& [name, weight] : config.end_reasons) config.end_reason_weights.push_back(weight);
  util::JsonWriter(config.ids_members)
      .field("environmentID", config.environment_id)
      .field("projectID", config.project_id);
  util::JsonWriter(config.resource_member).field("resource", "project-" + config.project_id);
  if (config.extra_fields) {
    util::JsonWriter w(config.extra_members);
    w.key("versionID").null();
    w.key("transcriptID").null();
    w.key("versionVariant").null();
    w.field("projectEnvironmentID", config.environment_id);
    w.key("projectEnvironmentAlias").value("production");
  }
  return std::make_unique<Voiceflow>(std::move(config));
}

}  // namespace

const VendorInfo& voiceflow_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "voiceflow";
    i.title = "Voiceflow session lifecycle webhooks";
    i.events = {"runtime.call.start", "runtime.call.end", "runtime.session.start", "runtime.session.end"};
    // Calls and sessions pair separately: a caller who calls back reuses the
    // session, so call.end closes call.start, session.end session.start.
    i.roles = {{"runtime.call.start", Role::Start, ""},
               {"runtime.session.start", Role::Start, ""},
               {"runtime.call.end", Role::End, "runtime.call.start"},
               {"runtime.session.end", Role::End, "runtime.session.start"}};
    i.webhook.event_json_keys = {"type"};
    // The call id is the platform's (see Leg::id), else the session's.
    i.webhook.call_id_pointers = {"/data/metadata/callSid", "/data/metadata/callControlID", "/data/metadata/callUUID",
                                  "/data/sessionID"};
    i.reads_turns = false;
    i.platforms = {"twilio", "web-voice", "telnyx", "vonage"};
    i.facts = {"user_id", "project_id", "environment_id"};
    i.transport = "POST application/json";
    // Retries are undocumented; the signing secret is believed to be Svix's,
    // so the default is Svix's published schedule (immediately, 5 s, 5 min,
    // 30 min, 2 h, 5 h, 10 h, 10 h) and its 15 s timeout.
    i.defaults.timeout_ms = 15000;
    i.defaults.retry.max_attempts = 8;
    i.defaults.retry.backoff_ms = {5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000};
    i.defaults.signing = "svix";
    i.configure = &configure_voiceflow;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
