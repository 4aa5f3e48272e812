#include "vendors/voicekit.hpp"

#include <cmath>
#include <memory>
#include <utility>
#include <vector>

#include "util/ids.hpp"
#include "util/rng.hpp"
#include "util/time_format.hpp"
#include "vendors/common.hpp"

namespace callhook::vendors {
namespace {

constexpr std::int64_t k_ns_per_ms = 1000000;
constexpr std::int64_t k_calls_per_stream = 10000000;  // call_id space of one stream

struct VoiceKitConfig {
  std::string url;
  std::string recordings_url;
  std::string workflow_slug = "customer-support";
  std::int64_t workflow_id = 456;
  std::int64_t organization_id = 789;
  std::int64_t call_id_base = 1000;
  std::optional<std::string> hook_url;
  OJson runtime_data = OJson::object();
  double finalize_delay_s = 5;
  std::string file_type = "ogg";
  std::int64_t bytes_per_second = 0;  // 0: the file type's default
};

// Runtime data values are flat: strings, numbers and booleans.
void read_runtime_data(const util::Cursor& c, util::Json& out) {
  if (!c.exists() || !c.is_object()) return;
  for (const auto& item : c.node()->items()) {
    const auto& v = item.value();
    if (v.is_string() || v.is_number() || v.is_boolean())
      out[item.key()] = v;
    else
      c[item.key()].fail_expected("a string, number or boolean");
  }
}

// A call's place in its stream's block of call_ids. Generated calls count
// up from 1; a script's calls (an alias; their index is 2^40 + k, see
// engine/script) count down from the top of the block, so a scripted call
// keeps a small integer id and never meets a generated call's.
std::int64_t position(const population::Call& call) {
  if (call.alias.empty()) return static_cast<std::int64_t>(call.index) + 1;
  constexpr std::uint64_t k_script_index_bits = (1ULL << 40) - 1;
  return k_calls_per_stream - static_cast<std::int64_t>((call.index & k_script_index_bits) % k_calls_per_stream);
}

class VoiceKitSession final : public Session {
 public:
  VoiceKitSession(std::shared_ptr<const VoiceKitConfig> config, const population::Call& call)
      : m_config(std::move(config)), m_call(call) {
    const VoiceKitConfig& c = *m_config;
    m_call_id = c.call_id_base + static_cast<std::int64_t>(m_call.stream) * k_calls_per_stream + position(m_call);
    util::Rng rng{m_call.seed};
    m_call_slug = util::lower_alnum_id(rng, 8);
    m_egress_id = "EG_" + util::base62_id(rng, 12);
    m_room_id = "RM_" + util::base62_id(rng, 12);
    m_room_name = "VOICEKIT_workflow_" + m_call_slug + "_" + std::to_string(rng.range(1000, 9999));
    // The egress starts once the agent joins the room and stops a little
    // after everyone left; the media it holds is a bit shorter than that.
    m_egress_start_ns = (m_call.start_ms + rng.range(300, 1500)) * k_ns_per_ms + rng.range(0, k_ns_per_ms - 1);
    m_egress_end_ns = (m_call.end_ms() + rng.range(500, 2500)) * k_ns_per_ms + rng.range(0, k_ns_per_ms - 1);
    m_media_ns = std::max<std::int64_t>(
        m_egress_end_ns - m_egress_start_ns - rng.range(1000, 3000) * k_ns_per_ms - rng.range(0, k_ns_per_ms - 1),
        k_ns_per_ms);
    const std::int64_t bps = c.bytes_per_second > 0 ? c.bytes_per_second : default_bytes_per_second(c.file_type);
    m_file_size = recording_bytes(rng, m_media_ns / k_ns_per_ms, c.file_type, bps);
    m_phone_number = m_call.platform == "web" ? OJson(nullptr) : OJson(m_call.user_number);
    for (const auto& [key, value] : m_call.custom_parameters) m_runtime_data[key] = value;
    for (const auto& [key, value] : c.runtime_data.items()) m_runtime_data[key] = value;
  }

  std::vector<Delivery> start() override {
    if (!m_config->hook_url) return events();
    m_waiting = true;
    OJson data;
    data["call_id"] = m_call_id;
    data["workflow_slug"] = m_config->workflow_slug;
    data["phone_number"] = m_phone_number;
    data["direction"] = m_call.direction;
    data["runtime_data"] = m_runtime_data;
    OJson b;
    b["event"] = "call_started_hook";
    b["timestamp"] = util::iso8601_ms(m_call.start_ms);
    b["data"] = data;
    Delivery d = make_delivery("callStartedHook", *m_config->hook_url, "POST", "application/json", dump(b),
                               m_call.start_ms, std::to_string(m_call_id), "/event");
    d.blocking = true;
    return {d};
  }

  std::vector<Delivery> resume(const Delivery&, const Answer& answer, std::vector<Finding>& findings) override {
    if (!m_waiting) return {};
    m_waiting = false;
    apply_hook_answer(answer, findings);
    return events();
  }

 private:
  void apply_hook_answer(const Answer& answer, std::vector<Finding>& findings) {
    const std::string call_id = std::to_string(m_call_id);
    const std::string unchanged = "; the call goes on unmodified";
    if (!answer.delivered) {
      findings.push_back({call_id, "callStartedHook",
                          "callStartedHook answer: not delivered (" + not_delivered_reason(answer) + ")" + unchanged});
      return;
    }
    util::Problems problems;
    const auto overrides = parse_call_started_hook_answer(answer.body, problems);
    if (!problems.empty()) {
      findings.push_back(
          {call_id, "callStartedHook", "callStartedHook answer: " + join_problems(problems) + unchanged});
      return;
    }
    if (overrides.has_runtime_data) {
      m_echo_runtime_data = true;
      for (const auto& item : overrides.runtime_data.items()) m_runtime_data[item.key()] = to_ordered(item.value());
    }
    if (overrides.phone_number) m_phone_number = *overrides.phone_number;
  }

  std::vector<Delivery> events() const {
    const std::int64_t finalized_ms =
        m_call.end_ms() + static_cast<std::int64_t>(std::llround(m_config->finalize_delay_s * 1000.0));
    std::vector<Delivery> batch;
    batch.push_back(deliver("call_started", call_started(), m_call.start_ms));
    batch.push_back(deliver("call_ended", call_ended(), m_call.end_ms()));
    batch.push_back(deliver("call_finalized", call_finalized(finalized_ms), finalized_ms));
    sort_by_due(batch);
    return batch;
  }

  std::string envelope(const char* event, std::int64_t at, OJson data) const {
    OJson b;
    b["event"] = event;
    b["timestamp"] = util::iso8601_ms(at);
    b["data"] = std::move(data);
    return dump(b);
  }

  std::string call_started() const {
    OJson data;
    data["call_id"] = m_call_id;
    data["workflow_slug"] = m_config->workflow_slug;
    data["phone_number"] = m_phone_number;
    if (m_echo_runtime_data) data["runtime_data"] = m_runtime_data;
    return envelope("call_started", m_call.start_ms, data);
  }

  std::string call_ended() const {
    const std::int64_t seconds = whole_seconds(m_call.duration_ms);
    OJson data;
    data["call_id"] = m_call_id;
    data["workflow_slug"] = m_config->workflow_slug;
    data["phone_number"] = m_phone_number;
    data["duration_seconds"] = seconds;
    data["duration_minutes"] = std::max<std::int64_t>(1, (seconds + 59) / 60);
    if (m_echo_runtime_data) data["runtime_data"] = m_runtime_data;
    return envelope("call_ended", m_call.end_ms(), data);
  }

  std::string call_finalized(std::int64_t at) const {
    OJson egress;
    egress["egress_id"] = m_egress_id;
    egress["room_id"] = m_room_id;
    egress["room_name"] = m_room_name;
    egress["status"] = "EGRESS_COMPLETE";
    egress["started_at"] = std::to_string(m_egress_start_ns);
    egress["ended_at"] = std::to_string(m_egress_end_ns);
    egress["duration"] = std::to_string(m_media_ns);
    egress["file_size"] = std::to_string(m_file_size);
    egress["file_type"] = m_config->file_type;
    OJson data;
    data["call_id"] = m_call_id;
    data["call_slug"] = m_call_slug;
    data["recording_url"] = recording_url(m_config->recordings_url, m_call_slug, m_file_size, m_config->file_type);
    data["workflow_id"] = m_config->workflow_id;
    data["organization_id"] = m_config->organization_id;
    data["egress_info"] = egress;
    return envelope("call_finalized", at, data);
  }

  Delivery deliver(const char* event, std::string body, std::int64_t due) const {
    return make_delivery(event, m_config->url, "POST", "application/json", std::move(body), due,
                         std::to_string(m_call_id), "/event");
  }

 public:
  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = std::to_string(m_call_id);
    f.vendor = {{"room_id", m_room_id}, {"room_name", m_room_name}, {"egress_id", m_egress_id}};
    return f;
  }

 private:
  std::shared_ptr<const VoiceKitConfig> m_config;
  population::Call m_call;
  std::int64_t m_call_id = 0;
  std::string m_call_slug;
  std::string m_egress_id;
  std::string m_room_id;
  std::string m_room_name;
  std::int64_t m_egress_start_ns = 0;
  std::int64_t m_egress_end_ns = 0;
  std::int64_t m_media_ns = 0;
  std::int64_t m_file_size = 0;
  OJson m_phone_number;
  OJson m_runtime_data = OJson::object();
  bool m_echo_runtime_data = false;
  bool m_waiting = false;
};

std::unique_ptr<Vendor> configure_voicekit(const util::Cursor& config, const StreamContext& context,
                                           util::Problems& problems) {
  const std::size_t before = problems.size();
  auto c = std::make_shared<VoiceKitConfig>();
  c->url = context.target;
  c->recordings_url = context.recordings_url;
  if (config.exists()) {
    config.keys({"workflow_slug", "workflow_id", "organization_id", "call_id_base", "call_started_hook", "runtime_data",
                 "finalize_delay_s", "recording"});
  }
  c->workflow_slug = config["workflow_slug"].string(false).value_or(c->workflow_slug);
  c->workflow_id = config["workflow_id"].integer_or(c->workflow_id, 1);
  c->organization_id = config["organization_id"].integer_or(c->organization_id, 1);
  c->call_id_base = config["call_id_base"].integer_or(c->call_id_base, 0, INT64_MAX / 2);
  c->hook_url = read_url(config["call_started_hook"]);
  util::Json runtime = util::Json::object();
  read_runtime_data(config["runtime_data"], runtime);
  c->runtime_data = to_ordered(runtime);
  c->finalize_delay_s = config["finalize_delay_s"].number_or(c->finalize_delay_s, 0);
  const auto recording = config["recording"];
  if (recording.exists() && recording.keys({"file_type", "bytes_per_second"})) {
    c->file_type = recording["file_type"].one_of({"ogg", "wav"}).value_or(c->file_type);
    c->bytes_per_second = recording["bytes_per_second"].integer_or(0, 1, 1000000);
  }

  if (problems.size() != before) return nullptr;
  return std::make_unique<SessionFactory<VoiceKitSession, VoiceKitConfig>>(std::move(c));
}

}  // namespace

VoiceKitHookOverrides parse_call_started_hook_answer(const std::string& body, util::Problems& problems) {
  VoiceKitHookOverrides out;
  const auto parsed = parse_answer(body, problems, "a JSON object");
  if (!parsed) return out;
  const util::Cursor root(&*parsed, "", problems);
  if (!root.keys({"runtime_data", "phone_number"})) return out;
  const auto runtime = root["runtime_data"];
  if (runtime.exists() && runtime.is_object()) {
    read_runtime_data(runtime, out.runtime_data);
    out.has_runtime_data = true;
  }
  if (auto phone = root["phone_number"].string()) {
    if (is_e164(*phone))
      out.phone_number = *phone;
    else
      root["phone_number"].fail_expected("an E.164 number");
  }
  return out;
}

const VendorInfo& voicekit_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "voicekit";
    i.title = "VoiceKit call webhooks";
    i.events = {"call_started", "call_ended", "call_finalized", "callStartedHook"};
    i.events_note = "callStartedHook is sent only when vendor_config call_started_hook is set.";
    i.event_configs = {{"callStartedHook", R"({"call_started_hook":"http://127.0.0.1:3000/hook"})"}};
    i.roles = {{"call_started", Role::Start, ""},
               {"call_ended", Role::End, "call_started"},
               {"call_finalized", Role::Recording, "call_ended"}};
    i.webhook.event_json_keys = {"event"};
    i.webhook.call_id_pointers = {"/data/call_id"};
    i.reads_turns = false;
    i.platforms = {"phone", "web"};
    i.facts = {"room_id", "room_name", "egress_id"};
    i.transport = "POST JSON";
    i.defaults.timeout_ms = 10000;
    i.defaults.retry = retry_policy(1, {});
    i.defaults.signing = "none";
    i.configure = &configure_voicekit;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
