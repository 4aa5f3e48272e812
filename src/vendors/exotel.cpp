#include "vendors/exotel.hpp"

#include <algorithm>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/ids.hpp"
#include "util/rng.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"
#include "vendors/common.hpp"

namespace callhook::vendors {
namespace {

using Weights = std::vector<std::pair<std::string, double>>;

// The Connect applet's dial outcomes a Passthru after it reports as DialCallStatus.
const std::vector<std::string> k_dial_statuses = {"completed", "busy", "no-answer", "failed", "canceled"};

// The Passthru document gives EndTime as this constant (the epoch in IST).
constexpr const char* k_end_time = "1970-01-01 05:30:00";

struct ExotelConfig {
  std::string url;
  std::string recordings_url;
  bool passthru_at_start = false;            // "start": before the Connect applet; "end": after it
  std::string status_callback = "always";    // "always", "outbound" or "never"
  bool terminal_fields = false;              // StatusCallbackEvents ["terminal"]: the extended parameters
  bool national_numbers = true;              // "0" + national number, as Exotel's examples write them
  std::int64_t utc_offset_ms = 330 * 60000;  // Exotel writes times in IST
  std::string exophone;                      // "": drawn from exophone_seed
  std::uint64_t exophone_seed = 0;
  std::string flow_id;
  std::string tenant_id;
  std::string custom_field;  // "" leaves CustomField out
  Weights dial_statuses = {
      {"completed", 0.8}, {"busy", 0.05}, {"no-answer", 0.1}, {"failed", 0.03}, {"canceled", 0.02}};
  double digits_p = 0.3;
  double recording_p = 1.0;
  std::int64_t status_delay_ms = 3000;
};

class ExotelSession final : public Session {
 public:
  ExotelSession(std::shared_ptr<const ExotelConfig> config, const population::Call& call)
      : m_config(std::move(config)), m_call(call) {
    const ExotelConfig& c = *m_config;
    util::Rng rng{m_call.seed};
    m_sid = util::hex_id(rng, 32);
    m_dial_status = pick(rng, c.dial_statuses);
    // The flow (greeting, IVR) runs before the Connect applet dials the agent.
    m_ivr_ms = std::min<std::int64_t>(rng.range(4000, 20000), m_call.duration_ms / 2);
    const std::int64_t ring_ms = std::min<std::int64_t>(rng.range(5000, 30000), m_call.duration_ms - m_ivr_ms);
    m_dial_ms = m_dial_status == "completed" ? m_call.duration_ms - m_ivr_ms : ring_ms;
    if (rng.chance(c.digits_p)) m_digits = std::to_string(rng.range(1, 9));
    const bool recorded = m_dial_status == "completed" && rng.chance(c.recording_p);
    if (recorded) {
      util::Rng sizes{util::derive(m_call.seed, 0, 0, "exotel/recording")};
      const std::int64_t bytes = recording_bytes(sizes, m_dial_ms, "wav", default_bytes_per_second("wav"));
      m_recording = recording_url(c.recordings_url, m_sid, bytes, "wav");
    }
    m_exophone = c.exophone.empty() ? exophone_of(c) : c.exophone;
  }

  static bool sends_event(const ExotelConfig& c, std::string_view event) {
    return event != "status_callback" || c.status_callback != "never";
  }

  std::vector<Delivery> start() override {
    const ExotelConfig& c = *m_config;
    std::vector<Delivery> batch;
    const std::int64_t passthru_ms =
        c.passthru_at_start ? m_call.start_ms + m_ivr_ms : m_call.start_ms + m_ivr_ms + m_dial_ms;
    batch.push_back(passthru(passthru_ms));
    const bool outbound = m_call.direction == "outbound";
    if (c.status_callback == "always" || (c.status_callback == "outbound" && outbound))
      batch.push_back(status_callback(m_call.end_ms() + c.status_delay_ms));
    sort_by_due(batch);
    return batch;
  }

  std::vector<Delivery> resume(const Delivery&, const Answer&, std::vector<Finding>&) override { return {}; }

  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = m_sid;
    f.end_reason = m_dial_status;
    f.transferred = m_dial_status == "completed";
    f.vendor = {{"dial_status", m_dial_status}, {"exophone", m_exophone}, {"recording_url", m_recording}};
    return f;
  }

 private:
  using Params = std::vector<std::pair<std::string, std::string>>;

  // Exotel's fixed ExoPhone for the stream, when the scenario names none.
  std::string exophone_of(const ExotelConfig& c) const {
    util::Rng rng{c.exophone_seed};
    return util::e164(rng, m_call.country);
  }

  std::string number(const std::string& e164) const {
    if (!m_config->national_numbers) return e164;
    const std::string& cc = m_call.country.empty() ? std::string("1") : m_call.country;
    if (e164.rfind("+" + cc, 0) == 0) return "0" + e164.substr(1 + cc.size());
    return e164;
  }

  std::string local_time(std::int64_t ms) const { return util::sql_datetime(ms + m_config->utc_offset_ms); }

  // The caller and the called number as the flow sees them: the customer
  // and the ExoPhone either way (an outbound API call dials the customer
  // first, with the ExoPhone as caller id).
  std::string customer() const { return number(m_call.user_number); }

  std::string call_type() const {
    if (m_config->passthru_at_start) return "call-attempt";
    if (m_dial_status == "completed") return "completed";
    if (m_dial_status == "canceled") return "client-hangup";
    return "incomplete";
  }

  // The Passthru applet's query, in the document's table order; parameters
  // that depend on an earlier applet only after it ran.
  Delivery passthru(std::int64_t due) const {
    const ExotelConfig& c = *m_config;
    const bool after_connect = !c.passthru_at_start;
    Params p;
    p.emplace_back("CallSid", m_sid);
    p.emplace_back("CallFrom", customer());
    p.emplace_back("CallTo", number(m_exophone));
    p.emplace_back("Direction", m_call.direction == "outbound" ? "outbound-dial" : "incoming");
    p.emplace_back("Created", local_time(m_call.start_ms));
    p.emplace_back("DialCallDuration", std::to_string(after_connect ? whole_seconds(m_dial_ms) : 0));
    p.emplace_back("StartTime", local_time(m_call.start_ms));
    p.emplace_back("EndTime", k_end_time);
    p.emplace_back("CallType", call_type());
    p.emplace_back("DialWhomNumber", after_connect ? number(m_call.agent_number) : "");
    p.emplace_back("flow_id", c.flow_id);
    p.emplace_back("tenant_id", c.tenant_id);
    p.emplace_back("From", customer());
    p.emplace_back("To", number(m_exophone));
    if (after_connect) p.emplace_back("DialCallStatus", m_dial_status);
    if (after_connect && !m_recording.empty()) p.emplace_back("RecordingUrl", m_recording);
    p.emplace_back("CurrentTime", local_time(due));
    // The document: digits come wrapped in double quotes.
    if (!m_digits.empty()) p.emplace_back("digits", "\"" + m_digits + "\"");
    if (!c.custom_field.empty()) p.emplace_back("CustomField", c.custom_field);
    return make_delivery("passthru", util::append_query(c.url, form_text(p)), "GET", "", "", due, m_sid, "");
  }

  // The overall status of the call, one of the four the document lists.
  std::string status() const {
    if (m_dial_status == "busy" || m_dial_status == "no-answer" || m_dial_status == "failed") return m_dial_status;
    return "completed";
  }

  Delivery status_callback(std::int64_t due) const {
    const ExotelConfig& c = *m_config;
    Params p;
    p.emplace_back("CallSid", m_sid);
    p.emplace_back("DateUpdated", local_time(due));
    p.emplace_back("Status", status());
    p.emplace_back("RecordingUrl", m_recording);
    if (c.terminal_fields) {
      const bool answered = m_dial_status == "completed";
      p.emplace_back("EventType", "terminal");
      p.emplace_back("DateCreated", local_time(m_call.start_ms));
      p.emplace_back("To", number(m_call.agent_number));
      p.emplace_back("From", customer());
      p.emplace_back("PhoneNumberSid", number(m_exophone));
      p.emplace_back("StartTime", local_time(m_call.start_ms));
      p.emplace_back("EndTime", local_time(m_call.end_ms()));
      p.emplace_back("ConversationDuration", std::to_string(answered ? whole_seconds(m_dial_ms) : 0));
      p.emplace_back("Direction", m_call.direction == "outbound" ? "outbound-api" : "inbound");
      if (!c.custom_field.empty()) p.emplace_back("CustomField", c.custom_field);
    }
    return make_delivery("status_callback", c.url, "POST", "application/x-www-form-urlencoded", form_text(p), due,
                         m_sid, "");
  }

  std::shared_ptr<const ExotelConfig> m_config;
  population::Call m_call;
  std::string m_sid;
  std::string m_dial_status;
  std::int64_t m_ivr_ms = 0;
  std::int64_t m_dial_ms = 0;
  std::string m_digits;
  std::string m_recording;
  std::string m_exophone;
};

std::unique_ptr<Vendor> configure_exotel(const util::Cursor& config, const StreamContext& context,
                                         util::Problems& problems) {
  const std::size_t before = problems.size();
  auto c = std::make_shared<ExotelConfig>();
  c->url = context.target;
  c->recordings_url = context.recordings_url;
  util::Rng rng{util::derive(context.seed, 0, 0, "exotel/account")};
  c->flow_id = std::to_string(rng.range(100000, 999999));
  c->tenant_id = std::to_string(rng.range(10000, 99999));
  c->exophone_seed = util::derive(context.seed, 0, 0, "exotel/exophone");
  if (config.exists()) {
    config.keys({"passthru", "status_callback", "status_callback_events", "numbers", "utc_offset_min", "exophone",
                 "flow_id", "tenant_id", "custom_field", "dial_status", "digits_p", "recording_p", "status_delay_ms"});
  }
  c->passthru_at_start = config["passthru"].one_of({"end", "start"}).value_or("end") == "start";
  c->status_callback = config["status_callback"].one_of({"always", "outbound", "never"}).value_or(c->status_callback);
  c->terminal_fields = config["status_callback_events"].one_of({"none", "terminal"}).value_or("none") == "terminal";
  c->national_numbers = config["numbers"].one_of({"national", "e164"}).value_or("national") == "national";
  c->utc_offset_ms = config["utc_offset_min"].integer_or(330, -720, 840) * 60000;
  if (auto exophone = config["exophone"].string()) {
    if (is_e164(*exophone))
      c->exophone = *exophone;
    else
      config["exophone"].fail_expected("an E.164 number such as \"+918030752400\"");
  }
  c->flow_id = config["flow_id"].string(false).value_or(c->flow_id);
  c->tenant_id = config["tenant_id"].string(false).value_or(c->tenant_id);
  c->custom_field = config["custom_field"].string_or("");
  c->dial_statuses = read_weights(config["dial_status"], k_dial_statuses, c->dial_statuses);
  c->digits_p = read_probability(config["digits_p"], c->digits_p);
  c->recording_p = read_probability(config["recording_p"], c->recording_p);
  c->status_delay_ms = config["status_delay_ms"].integer_or(c->status_delay_ms, 0);
  if (problems.size() != before) return nullptr;
  return std::make_unique<SessionFactory<ExotelSession, ExotelConfig>>(std::move(c));
}

}  // namespace

const VendorInfo& exotel_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "exotel";
    i.title = "Exotel call flow callbacks (Passthru applet, StatusCallback)";
    i.events = {"passthru", "status_callback"};
    i.events_note = "status_callback follows vendor_config \"status_callback\"";
    // The Passthru request comes from inside the flow, the StatusCallback
    // once the call is over: a StatusCallback ahead of the Passthru is the
    // reordering a receiver meets.
    i.roles = {{"passthru", Role::Start, ""}, {"status_callback", Role::End, "passthru"}};
    // Neither request names itself: a parameter only one of them has does.
    i.webhook.param_events = {{"DateUpdated", "status_callback"}, {"CallType", "passthru"}};
    i.webhook.call_id_params = {"CallSid"};
    i.reads_turns = false;
    i.platforms = {"phone"};
    i.facts = {"dial_status", "exophone", "recording_url"};
    i.transport = "GET query (Passthru), POST form (StatusCallback)";
    // Exotel's webhook page: a 200 within 15 s, else up to 2 retries (3
    // attempts); the wait between them is not published. The Passthru's
    // retries are not documented: it is sent once.
    i.defaults.timeout_ms = 15000;
    i.defaults.retry = retry_policy(3, {60000, 60000});
    i.defaults.event_retry = {{"passthru", retry_policy(1, {})}};
    i.defaults.signing = "none";
    i.configure = &configure_exotel;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
