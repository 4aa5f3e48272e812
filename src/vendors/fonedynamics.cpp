#include "vendors/fonedynamics.hpp"

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

const std::vector<std::string> k_dispositions = {"ANSWERED", "NO ANSWER", "BUSY", "IVR", "FAILED"};
const std::vector<std::string> k_traffic_types = {"Campaign", "Direct", "Organic", "Referral", "Unattributed"};

struct FoneDynamicsConfig {
  std::string url;
  std::string recordings_url;
  bool get = false;
  std::string account_sid;
  std::string property_sid;
  std::string property_name = "example.com.au";
  std::string number_name = "Main Line";
  double anonymous_p = 0.05;
  double geo_unknown_p = 0.1;
  Weights dispositions = {{"ANSWERED", 0.7}, {"NO ANSWER", 0.1}, {"BUSY", 0.05}, {"IVR", 0.1}, {"FAILED", 0.05}};
  double dynamic_p = 0.5;
  Weights traffic = {{"Campaign", 0.3}, {"Direct", 0.2}, {"Organic", 0.3}, {"Referral", 0.1}, {"Unattributed", 0.1}};
  double recording_p = 1.0;
  std::string recording_format = "wav";
  std::int64_t bytes_per_second = 0;  // 0: the format's default
  double survey_p = 0.2;
  double prompts_p = 0.2;
  double integration_p = 0.5;
  std::string endpoint;  // "": a number drawn per call
  bool blank_optional = false;
  bool custom_dimension2 = false;
  std::int64_t complete_delay_ms = 0;
};

struct Place {
  const char* region;
  const char* city;
};

struct Country {
  const char* code;  // calling code
  const char* iso;   // what Call.From.Country carries
  std::vector<Place> places;
};

const std::vector<Country>& countries() {
  static const std::vector<Country> all = {
      {"61", "AU", {{"NSW", "Sydney"}, {"VIC", "Melbourne"}, {"QLD", "Brisbane"}, {"WA", "Perth"}, {"SA", "Adelaide"}}},
      {"1", "US", {{"CA", "Los Angeles"}, {"NY", "New York"}, {"TX", "Austin"}, {"IL", "Chicago"}, {"WA", "Seattle"}}},
      {"44", "GB", {{"England", "London"}, {"England", "Manchester"}, {"Scotland", "Edinburgh"}, {"Wales", "Cardiff"}}},
      {"91", "IN", {{"MH", "Mumbai"}, {"KA", "Bengaluru"}, {"DL", "New Delhi"}, {"TN", "Chennai"}}},
  };
  return all;
}

template <class T>
const T& one(util::Rng& rng, const std::vector<T>& items) {
  return items[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(items.size()) - 1))];
}

class FoneDynamicsSession final : public Session {
 public:
  FoneDynamicsSession(std::shared_ptr<const FoneDynamicsConfig> config, const population::Call& call)
      : m_config(std::move(config)), m_call(call) {
    const FoneDynamicsConfig& c = *m_config;
    util::Rng rng{m_call.seed};
    m_sid = upper(util::hex_id(rng, 32));
    const bool anonymous = rng.chance(c.anonymous_p);
    m_from = anonymous ? "anonymous" : m_call.user_number;
    if (!anonymous && !rng.chance(c.geo_unknown_p)) {
      for (const auto& country : countries()) {
        if (m_call.user_number.rfind(std::string("+") + country.code, 0) != 0) continue;
        const Place& place = one(rng, country.places);
        m_country = country.iso;
        m_region = place.region;
        m_city = place.city;
      }
    }
    m_dynamic = rng.chance(c.dynamic_p);
    m_traffic = m_dynamic ? pick(rng, c.traffic) : "";
    m_disposition = pick(rng, c.dispositions);
    const bool transferred = m_disposition == "ANSWERED" || m_disposition == "NO ANSWER" || m_disposition == "BUSY";
    if (transferred) m_endpoint = c.endpoint.empty() ? util::e164(rng, m_call.country) : c.endpoint;
    m_recorded = m_disposition == "ANSWERED" && rng.chance(c.recording_p);
    m_surveyed = m_disposition == "ANSWERED" && rng.chance(c.survey_p);
    m_prompted = rng.chance(c.prompts_p);
    m_integrated = m_dynamic && rng.chance(c.integration_p);

    // Optional values, each from its own stream so settings don't shift each other.
    util::Rng detail{util::derive(m_call.seed, 0, 0, "fonedynamics/detail")};
    if (m_recorded) {
      const std::int64_t bps =
          c.bytes_per_second > 0 ? c.bytes_per_second : default_bytes_per_second(c.recording_format);
      const std::int64_t bytes = recording_bytes(detail, m_call.duration_ms, c.recording_format, bps);
      m_recording = recording_url(c.recordings_url, m_sid, bytes, c.recording_format);
    }
    if (m_surveyed) {
      m_survey_type = one(detail, std::vector<std::string>{"Sales", "Service", "Enquiry"});
      m_survey_value = std::to_string(detail.range(0, 5000));
      m_survey_custom1 = one(detail, std::vector<std::string>{"New customer", "Existing customer"});
      m_survey_custom2 = one(detail, std::vector<std::string>{"Yes", "No"});
      m_survey_code = std::to_string(detail.range(1000, 9999));
    }
    if (m_prompted) {
      m_postcode = std::to_string(detail.range(2000, 7999));
      m_keys = std::to_string(detail.range(1, 3)) + "," + m_postcode;
    }
    if (m_traffic == "Campaign" || m_traffic == "Organic") {
      m_keywords = one(detail, std::vector<std::string>{"contact number", "opening hours", "book an appointment",
                                                        "customer service", "get a quote"});
    }
    if (m_integrated) {
      m_ga_client = std::to_string(detail.range(100000000, 2147483647)) + "." +
                    std::to_string(m_call.start_ms / 1000 - detail.range(0, 30 * 86400));
      if (m_traffic == "Campaign") m_gclid = "Cj0KCQ" + util::base62_id(detail, 80);
      m_dimension1 = one(detail, std::vector<std::string>{"member", "guest"});
    }
  }

  std::vector<Delivery> start() override {
    std::vector<Delivery> batch;
    batch.push_back(deliver("Call.Initiate", params(false), m_call.start_ms));
    batch.push_back(deliver("Call.Complete", params(true), m_call.end_ms() + m_config->complete_delay_ms));
    sort_by_due(batch);
    return batch;
  }

  std::vector<Delivery> resume(const Delivery&, const Answer&, std::vector<Finding>&) override { return {}; }

 private:
  using Params = std::vector<std::pair<std::string, std::string>>;

  // Parameters in the document's table order. An optional one without a
  // value is left out, or sent blank when the stream asks for that.
  Params params(bool complete) const {
    const FoneDynamicsConfig& c = *m_config;
    Params p;
    const auto add = [&](const char* name, const std::string& value) { p.emplace_back(name, value); };
    const auto optional = [&](const char* name, const std::string& value) {
      if (!value.empty() || c.blank_optional) p.emplace_back(name, value);
    };
    add("Action", "Webhook");
    add("Event", complete ? "Call.Complete" : "Call.Initiate");
    add("Account.Sid", c.account_sid);
    add("Property.Sid", c.property_sid);
    add("Property.Name", c.property_name);
    add("Property.Type", "Site");

    add("Call.Sid", m_sid);
    add("Call.StartDate", util::sql_datetime(m_call.start_ms));
    add("Call.From", m_from);
    add("Call.From.Country", m_country);
    add("Call.From.Region", m_region);
    add("Call.From.City", m_city);
    add("Call.To", m_call.agent_number);
    if (complete) add("Call.To.Type", m_dynamic ? "Dynamic" : "Static");
    add("Call.To.Name", c.number_name);
    if (complete) {
      add("Call.Duration", std::to_string(whole_seconds(m_call.duration_ms)));
      add("Call.Disposition", m_disposition);
      optional("Call.Recording.Uri", m_recording);
    }
    optional("Call.Endpoint", m_endpoint);
    if (complete) {
      optional("Call.Survey.Type", m_survey_type);
      optional("Call.Survey.Value", m_survey_value);
      optional("Call.Survey.Custom1", m_survey_custom1);
      optional("Call.Survey.Custom2", m_survey_custom2);
      optional("Call.Survey.Custom3", "");
      optional("Call.Survey.UniqueCode", m_survey_code);
      optional("Call.Prompts.Postcode", m_postcode);
      optional("Call.Prompts.Keys", m_keys);
    }

    const auto [source, medium, campaign, content] = attribution();
    add("Attribution.Source", source);
    add("Attribution.Medium", medium);
    add("Attribution.Campaign", campaign);
    add("Attribution.Content", content);

    if (m_dynamic) {
      add("Session.Traffic.Type", m_traffic);
      optional("Session.Keywords", m_keywords);
      add("Session.ConversionUri", "https://" + c.property_name + "/contact-us");
      add("Session.LandingUri", landing_uri());
      optional("AnalyticsSession.CustomDimension1", m_dimension1);
      if (c.custom_dimension2) add("AnalyticsSession.CustomDimension2", "");  // asked for: sent, blank
    }
    optional("Google.Analytics.ClientId", m_ga_client);
    optional("Google.AdWords.ClickId", m_gclid);
    return p;
  }

  struct Attribution {
    std::string source, medium, campaign, content;
  };

  Attribution attribution() const {
    if (m_traffic == "Campaign") return {"google", "cpc", "spring promo", "variation 1"};
    if (m_traffic == "Organic") return {"google", "organic", "", ""};
    if (m_traffic == "Direct") return {"(direct)", "(none)", "", ""};
    if (m_traffic == "Referral") return {"facebook.com", "referral", "", ""};
    return {"", "", "", ""};
  }

  std::string landing_uri() const {
    std::string uri = "https://" + m_config->property_name + "/";
    if (m_traffic == "Campaign") uri += "offers?utm_source=google&utm_medium=cpc&utm_campaign=spring+promo";
    return uri;
  }

  Delivery deliver(const char* event, const Params& params, std::int64_t due) const {
    std::string encoded = form_text(params);
    if (m_config->get)
      return make_delivery(event, util::append_query(m_config->url, encoded), "GET", "", "", due, m_sid, "Event");
    return make_delivery(event, m_config->url, "POST", "application/x-www-form-urlencoded", std::move(encoded), due,
                         m_sid, "Event");
  }

 public:
  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = m_sid;
    f.transferred = !m_endpoint.empty();
    f.vendor = {{"disposition", m_disposition}, {"caller_id", m_from}, {"endpoint", m_endpoint}};
    return f;
  }

 private:
  std::shared_ptr<const FoneDynamicsConfig> m_config;
  population::Call m_call;
  std::string m_sid;
  std::string m_from;
  std::string m_country, m_region, m_city;
  bool m_dynamic = false;
  std::string m_traffic;
  std::string m_disposition;
  std::string m_endpoint;
  bool m_recorded = false, m_surveyed = false, m_prompted = false, m_integrated = false;
  std::string m_recording;
  std::string m_survey_type, m_survey_value, m_survey_custom1, m_survey_custom2, m_survey_code;
  std::string m_postcode, m_keys;
  std::string m_keywords;
  std::string m_ga_client, m_gclid, m_dimension1;
};

std::unique_ptr<Vendor> configure_fonedynamics(const util::Cursor& config, const StreamContext& context,
                                               util::Problems& problems) {
  const std::size_t before = problems.size();
  auto c = std::make_shared<FoneDynamicsConfig>();
  c->url = context.target;
  c->recordings_url = context.recordings_url;
  util::Rng rng{util::derive(context.seed, 0, 0, "fonedynamics/account")};
  c->account_sid = upper(util::hex_id(rng, 32));
  c->property_sid = "S" + upper(util::hex_id(rng, 31));
  if (config.exists()) {
    config.keys({"method", "account_sid", "property_sid", "property_name", "number_name", "anonymous_p",
                 "geo_unknown_p", "dispositions", "dynamic_p", "traffic", "recording", "survey_p", "prompts_p",
                 "integration_p", "endpoint", "optional_fields", "custom_dimension2", "complete_delay_ms"});
  }
  c->get = config["method"].one_of({"POST", "GET"}).value_or("POST") == "GET";
  c->account_sid = config["account_sid"].string(false).value_or(c->account_sid);
  c->property_sid = config["property_sid"].string(false).value_or(c->property_sid);
  c->property_name = config["property_name"].string(false).value_or(c->property_name);
  c->number_name = config["number_name"].string_or(c->number_name);
  c->anonymous_p = read_probability(config["anonymous_p"], c->anonymous_p);
  c->geo_unknown_p = read_probability(config["geo_unknown_p"], c->geo_unknown_p);
  c->dispositions = read_weights(config["dispositions"], k_dispositions, c->dispositions);
  c->dynamic_p = read_probability(config["dynamic_p"], c->dynamic_p);
  c->traffic = read_weights(config["traffic"], k_traffic_types, c->traffic);
  const auto recording = config["recording"];
  if (recording.exists() && recording.keys({"p", "format", "bytes_per_second"})) {
    c->recording_p = read_probability(recording["p"], c->recording_p);
    c->recording_format = recording["format"].one_of({"wav", "ogg"}).value_or(c->recording_format);
    c->bytes_per_second = recording["bytes_per_second"].integer_or(0, 1, 1000000);
  }
  c->survey_p = read_probability(config["survey_p"], c->survey_p);
  c->prompts_p = read_probability(config["prompts_p"], c->prompts_p);
  c->integration_p = read_probability(config["integration_p"], c->integration_p);
  if (auto endpoint = config["endpoint"].string()) {
    if (is_e164(*endpoint))
      c->endpoint = *endpoint;
    else
      config["endpoint"].fail_expected("an E.164 number such as \"+61291234567\"");
  }
  c->blank_optional = config["optional_fields"].one_of({"omit", "blank"}).value_or("omit") == "blank";
  c->custom_dimension2 = config["custom_dimension2"].boolean_or(false);
  c->complete_delay_ms = config["complete_delay_ms"].integer_or(0, 0);

  if (problems.size() != before) return nullptr;
  return std::make_unique<SessionFactory<FoneDynamicsSession, FoneDynamicsConfig>>(std::move(c));
}

}  // namespace

const VendorInfo& fonedynamics_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "fonedynamics";
    i.title = "Fone Dynamics call tracking voice webhooks";
    i.events = {"Call.Initiate", "Call.Complete"};
    i.roles = {{"Call.Initiate", Role::Start, ""}, {"Call.Complete", Role::End, "Call.Initiate"}};
    i.webhook.event_json_keys = {"Event"};
    i.webhook.event_params = {"Event"};
    i.webhook.call_id_params = {"Call.Sid"};
    i.reads_turns = false;
    i.platforms = {"phone"};
    i.facts = {"disposition", "caller_id", "endpoint"};
    i.transport = "POST form (default) or GET query";
    i.defaults.timeout_ms = 10000;
    i.defaults.retry = retry_policy(1, {});
    i.defaults.signing = "none";
    i.configure = &configure_fonedynamics;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
