#include "vendors/atoms.hpp"

#include <cmath>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "util/ids.hpp"
#include "util/rng.hpp"
#include "util/time_format.hpp"
#include "vendors/common.hpp"

namespace callhook::vendors {
namespace {

// A post-call metric and how its value is drawn. vendor_config "metrics":
// name -> a fixed value | [choice, ...] | {"uniform": [lo, hi]} (integers
// when both bounds are) | {"p": probability} (a boolean) | {"weights":
// {"value": weight, ...}}.
struct Metric {
  enum class Kind { Fixed, Uniform, Chance, Choice, Weights };
  std::string name;
  Kind kind = Kind::Fixed;
  OJson fixed;
  double lo = 0, hi = 0;
  bool integral = false;
  double p = 0;
  std::vector<OJson> choices;
  std::vector<std::pair<std::string, double>> weights;
};

struct AtomsConfig {
  std::string url;
  std::string recordings_url;
  bool live = false;
  std::string agent_id;
  double analytics_delay_s = 5;
  std::vector<std::pair<std::string, double>> dispositions = {{"successful", 0.8}, {"unsuccessful", 0.2}};
  std::string transfer_disposition = "transferred";
  std::vector<Metric> metrics;
  OJson variables = OJson::object();  // vendor_config variables, in key order
  std::string description = "callhook webhook";
  std::string webhook_id;
};

std::vector<Metric> document_metrics() {
  std::vector<Metric> out(4);
  out[0].name = "satisfaction_score";
  out[0].kind = Metric::Kind::Uniform;
  out[0].lo = 1;
  out[0].hi = 5;
  out[0].integral = true;
  out[1].name = "issue_resolved";
  out[1].kind = Metric::Kind::Chance;
  out[1].p = 0.7;
  out[2].name = "follow_up_needed";
  out[2].kind = Metric::Kind::Chance;
  out[2].p = 0.3;
  out[3].name = "product_discussed";
  out[3].kind = Metric::Kind::Choice;
  out[3].choices = {OJson("Widget Pro"), OJson("Widget Lite")};
  return out;
}

OJson draw(const Metric& m, util::Rng& rng) {
  switch (m.kind) {
    case Metric::Kind::Fixed: return m.fixed;
    case Metric::Kind::Uniform:
      if (m.integral) return rng.range(static_cast<std::int64_t>(m.lo), static_cast<std::int64_t>(m.hi));
      return std::round(rng.uniform(m.lo, m.hi) * 100.0) / 100.0;
    case Metric::Kind::Chance: return rng.chance(m.p);
    case Metric::Kind::Choice:
      return m.choices[static_cast<std::size_t>(rng.range(0, static_cast<std::int64_t>(m.choices.size()) - 1))];
    case Metric::Kind::Weights: return pick(rng, m.weights);
  }
  return nullptr;
}

std::string type_name(const OJson& v) {
  if (v.is_boolean()) return "boolean";
  if (v.is_number_integer()) return "integer";
  if (v.is_number()) return "number";
  return "string";
}

class AtomsSession final : public Session {
 public:
  AtomsSession(std::shared_ptr<const AtomsConfig> config, const population::Call& call)
      : m_config(std::move(config)), m_call(call) {
    util::Rng rng{m_call.seed};
    m_call_id = m_config->live ? "CALL-" + std::to_string(m_call.start_ms) + "-" + util::hex_id(rng, 6)
                               : "call_" + util::lower_alnum_id(rng, 12);
    m_disposition = m_call.wants_agent ? m_config->transfer_disposition : pick(rng, m_config->dispositions);
    util::Rng metrics_rng{util::derive(m_call.seed, 0, 0, "atoms/metrics")};
    for (const auto& m : m_config->metrics) m_metrics.emplace_back(m.name, draw(m, metrics_rng));
    for (const auto& [key, value] : m_call.custom_parameters) m_variables[key] = value;
    for (const auto& [key, value] : m_config->variables.items()) m_variables[key] = value;
    m_analytics_ms = m_call.end_ms() + static_cast<std::int64_t>(std::llround(m_config->analytics_delay_s * 1000.0));
  }

  std::vector<Delivery> start() override {
    std::vector<Delivery> batch;
    if (m_config->live) {
      batch.push_back(deliver("pre-conversation", live_pre(), m_call.start_ms));
      batch.push_back(deliver("post-conversation", live_post(), m_call.end_ms()));
      batch.push_back(deliver("analytics-completed", live_analytics(), m_analytics_ms));
    } else {
      batch.push_back(deliver("call.start", call_start(), m_call.start_ms));
      batch.push_back(deliver("call.end", call_end(), m_call.end_ms()));
      batch.push_back(deliver("analytics.completed", analytics(), m_analytics_ms));
    }
    sort_by_due(batch);
    return batch;
  }

  std::vector<Delivery> resume(const Delivery&, const Answer&, std::vector<Finding>&) override { return {}; }

 private:
  OJson common(const char* event, std::int64_t at) const {
    OJson b;
    b["event"] = event;
    b["timestamp"] = util::iso8601_s(at);
    b["agent_id"] = m_config->agent_id;
    b["call_id"] = m_call_id;
    return b;
  }

  OJson transcript(bool live) const {
    OJson out = OJson::array();
    for (const auto& t : m_call.turns) {
      OJson turn;
      turn["role"] = t.speaker == "user" ? "user" : "agent";
      turn["content"] = t.text;
      const std::int64_t at = m_call.start_ms + t.start_ms;
      turn["timestamp"] = live ? util::iso8601_ms(at) : util::iso8601_s(at);
      out.push_back(turn);
    }
    return out;
  }

  std::string call_start() const {
    OJson b = common("call.start", m_call.start_ms);
    b["call_direction"] = m_call.direction;
    b["caller_phone"] = m_call.user_number;
    b["agent_phone"] = m_call.agent_number;
    return dump(b);
  }

  std::string call_end() const {
    OJson b = common("call.end", m_call.end_ms());
    b["duration_seconds"] = whole_seconds(m_call.duration_ms);
    b["disposition"] = m_disposition;
    b["transcript"] = transcript(false);
    b["variables"] = m_variables;
    return dump(b);
  }

  std::string analytics() const {
    OJson b = common("analytics.completed", m_analytics_ms);
    OJson metrics = OJson::object();
    for (const auto& [name, value] : m_metrics) metrics[name] = value;
    b["metrics"] = metrics;
    return dump(b);
  }

  // The live envelope: {url, description, event, metadata, id}.
  std::string envelope(const char* type, OJson metadata) const {
    OJson b;
    b["url"] = m_config->url;
    b["description"] = m_config->description;
    b["event"] = m_config->agent_id + "." + type;
    b["metadata"] = std::move(metadata);
    b["id"] = m_config->webhook_id;
    return dump(b);
  }

  OJson live_common(const char* type) const {
    OJson m;
    m["agentId"] = m_config->agent_id;
    m["eventType"] = type;
    m["conversationType"] = m_call.direction == "outbound" ? "telephonyOutbound" : "telephonyInbound";
    m["callId"] = m_call_id;
    return m;
  }

  const std::string& from_number() const {
    return m_call.direction == "outbound" ? m_call.agent_number : m_call.user_number;
  }
  const std::string& to_number() const {
    return m_call.direction == "outbound" ? m_call.user_number : m_call.agent_number;
  }

  OJson call_data() const {
    OJson d;
    d["callId"] = m_call_id;
    d["fromNumber"] = from_number();
    d["toNumber"] = to_number();
    d["callDuration"] = static_cast<double>(m_call.duration_ms) / 1000.0;
    d["startTime"] = util::iso8601_ms(m_call.start_ms);
    d["endTime"] = util::iso8601_ms(m_call.end_ms());
    d["disposition"] = m_disposition;
    return d;
  }

  std::string live_pre() const {
    OJson m = live_common("pre-conversation");
    m["toPhone"] = to_number();
    m["fromPhone"] = from_number();
    return envelope("pre-conversation", m);
  }

  std::string live_post() const {
    OJson m = live_common("post-conversation");
    m["callData"] = call_data();
    m["transcript"] = transcript(true);
    m["variables"] = m_variables;
    util::Rng rng{util::derive(m_call.seed, 0, 0, "atoms/recording")};
    const std::int64_t bytes = recording_bytes(rng, m_call.duration_ms, "wav", default_bytes_per_second("wav"));
    m["recordingUrl"] = recording_url(m_config->recordings_url, m_call_id, bytes, "wav");
    return envelope("post-conversation", m);
  }

  std::string live_analytics() const {
    OJson m = live_common("analytics-completed");
    m["callData"] = call_data();
    OJson analytics;
    analytics["summary"] = "The caller spoke with the agent for " + std::to_string(whole_seconds(m_call.duration_ms)) +
                           " seconds over " + std::to_string(m_call.turns.size()) + " turns.";
    OJson disposition = OJson::array();
    OJson success = OJson::array();
    util::Rng rng{util::derive(m_call.seed, 0, 0, "atoms/confidence")};
    for (const auto& [name, value] : m_metrics) {
      OJson entry;
      entry["identifier"] = name;
      entry["value"] = value;
      entry["confidence"] = static_cast<double>(rng.range(60, 99)) / 100.0;
      entry["reasoning"] = "derived from the transcript";
      entry["dispositionMetricPrompt"] = "What is the " + name + " of this call?";
      entry["dispositionMetricType"] = type_name(value);
      // Yes/no metrics are success metrics on the platform; the rest describe the call.
      (value.is_boolean() ? success : disposition).push_back(entry);
    }
    analytics["dispositionMetrics"] = disposition;
    analytics["successMetrics"] = success;
    m["analytics"] = analytics;
    return envelope("analytics-completed", m);
  }

  Delivery deliver(const char* event, std::string body, std::int64_t due) const {
    return make_delivery(event, m_config->url, "POST", "application/json", std::move(body), due, m_call_id, "/event");
  }

 public:
  SessionFacts facts() const override {
    SessionFacts f;
    f.call_id = m_call_id;
    f.vendor = {{"disposition", m_disposition}};
    return f;
  }

 private:
  std::shared_ptr<const AtomsConfig> m_config;
  population::Call m_call;
  std::string m_call_id;
  std::string m_disposition;
  std::vector<std::pair<std::string, OJson>> m_metrics;
  OJson m_variables = OJson::object();
  std::int64_t m_analytics_ms = 0;
};

std::optional<Metric> read_metric(const std::string& name, const util::Cursor& c) {
  Metric m;
  m.name = name;
  const util::Json& v = *c.node();
  const auto fail = [&] {
    c.fail_expected(
        "a metric: a value, [choices], {\"uniform\": [lo, hi]}, {\"p\": probability} or {\"weights\": {...}}");
    return std::nullopt;
  };
  if (v.is_string() || v.is_number() || v.is_boolean()) {
    m.kind = Metric::Kind::Fixed;
    m.fixed = to_ordered(v);
    return m;
  }
  if (v.is_array()) {
    if (v.empty()) return fail();
    m.kind = Metric::Kind::Choice;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (v[i].is_object() || v[i].is_array() || v[i].is_null()) {
        c.at(i).fail_expected("a string, number or boolean");
        return std::nullopt;
      }
      m.choices.push_back(to_ordered(v[i]));
    }
    return m;
  }
  if (!v.is_object() || v.size() != 1) return fail();
  if (v.contains("uniform")) {
    const auto range = c["uniform"];
    if (!range.node()->is_array() || range.size() != 2) {
      range.fail_expected("[lo, hi]");
      return std::nullopt;
    }
    const auto lo = range.at(0).number();
    const auto hi = range.at(1).number();
    if (!lo || !hi) return std::nullopt;
    if (*hi < *lo) {
      range.fail("expected lo <= hi");
      return std::nullopt;
    }
    m.kind = Metric::Kind::Uniform;
    m.lo = *lo;
    m.hi = *hi;
    m.integral = range.at(0).node()->is_number_integer() && range.at(1).node()->is_number_integer();
    return m;
  }
  if (v.contains("p")) {
    const auto p = c["p"].number(0, 1);
    if (!p) return std::nullopt;
    m.kind = Metric::Kind::Chance;
    m.p = *p;
    return m;
  }
  if (v.contains("weights")) {
    const auto size_before = c.problems().size();
    m.kind = Metric::Kind::Weights;
    m.weights = read_weights(c["weights"], {}, {});
    if (c.problems().size() != size_before || m.weights.empty()) {
      if (c.problems().size() == size_before) c["weights"].fail("expected at least one value with a weight");
      return std::nullopt;
    }
    return m;
  }
  return fail();
}

std::unique_ptr<Vendor> configure_atoms(const util::Cursor& config, const StreamContext& context,
                                        util::Problems& problems) {
  const std::size_t before = problems.size();
  auto c = std::make_shared<AtomsConfig>();
  c->url = context.target;
  c->recordings_url = context.recordings_url;
  c->metrics = document_metrics();
  if (config.exists()) {
    config.keys({"format", "agent_id", "analytics_delay_s", "dispositions", "transfer_disposition", "metrics",
                 "variables", "description", "webhook_id"});
  }
  c->live = config["format"].one_of({"document", "live"}).value_or("document") == "live";
  util::Rng rng{util::derive(context.seed, 0, 0, "atoms/agent_id")};
  const std::string document_agent = "agent_" + util::lower_alnum_id(rng, 6);
  const std::string live_agent = util::hex_id(rng, 24);
  c->agent_id = config["agent_id"].string(false).value_or(c->live ? live_agent : document_agent);
  c->webhook_id = config["webhook_id"].string(false).value_or(util::hex_id(rng, 24));
  c->analytics_delay_s = config["analytics_delay_s"].number_or(c->analytics_delay_s, 0);
  c->dispositions = read_weights(config["dispositions"], {}, c->dispositions);
  c->transfer_disposition = config["transfer_disposition"].string(false).value_or(c->transfer_disposition);
  c->description = config["description"].string_or(c->description);

  const auto metrics = config["metrics"];
  if (metrics.exists() && metrics.is_object()) {
    c->metrics.clear();
    for (const auto& item : metrics.node()->items())
      if (auto m = read_metric(item.key(), metrics[item.key()])) c->metrics.push_back(*m);
  }
  const auto variables = config["variables"];
  if (variables.exists() && variables.is_object()) {
    for (const auto& item : variables.node()->items()) {
      const auto& v = item.value();
      if (v.is_object() || v.is_array())
        variables[item.key()].fail_expected("a string, number, boolean or null");
      else
        c->variables[item.key()] = to_ordered(v);
    }
  }

  if (problems.size() != before) return nullptr;
  return std::make_unique<SessionFactory<AtomsSession, AtomsConfig>>(std::move(c));
}

}  // namespace

const VendorInfo& atoms_info() {
  static const VendorInfo info = [] {
    VendorInfo i;
    i.name = "atoms";
    i.title = "Smallest.ai Atoms call webhooks";
    i.events = {"call.start",       "call.end",          "analytics.completed",
                "pre-conversation", "post-conversation", "analytics-completed"};
    i.events_note =
        "call.start, call.end, analytics.completed are the documented format (vendor_config format \"document\",\n"
        "              the default); pre-conversation, post-conversation, analytics-completed the live platform's\n"
        "              (format \"live\"). A stream sends one set.";
    i.event_configs = {{"pre-conversation", R"({"format":"live"})"},
                       {"post-conversation", R"({"format":"live"})"},
                       {"analytics-completed", R"({"format":"live"})"}};
    i.roles = {{"call.start", Role::Start, ""},
               {"call.end", Role::End, "call.start"},
               {"pre-conversation", Role::Start, ""},
               {"post-conversation", Role::End, "pre-conversation"}};
    i.webhook.event_json_keys = {"event"};
    i.webhook.call_id_pointers = {"/call_id", "/callData/callId"};
    i.platforms = {"phone"};
    i.facts = {"disposition"};
    i.transport = "POST JSON";
    i.defaults.timeout_ms = 30000;
    i.defaults.retry = retry_policy(1, {});
    i.defaults.signing = "x-signature";
    i.configure = &configure_atoms;
    return i;
  }();
  return info;
}

}  // namespace callhook::vendors
