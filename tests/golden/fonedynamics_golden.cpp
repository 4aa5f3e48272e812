// Fone Dynamics: document 003 has no example payloads, only parameter
// tables with a presence column per event. The tables are read from the
// document and every generated request is checked against them: names, per
// event presence, the optional / blank-if-unknown rules, types and formats.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <sstream>

#include "golden_support.hpp"
#include "support/vendor_session.hpp"
#include "vendors/fonedynamics.hpp"

namespace {

struct Row {
  std::string group;  // "Common Parameters", "Call Parameters", ...
  std::string name;
  std::string type;
  std::string description;
  bool initiate = false;
  bool complete = false;
  bool optional() const { return description.rfind("Optional.", 0) == 0; }
};

struct Spec {
  std::vector<Row> rows;                  // in table order, duplicates kept
  std::vector<std::string> events;        // the events table
  std::vector<std::string> dispositions;  // the dispositions table
  const Row* find(const std::string& name) const {
    for (const auto& r : rows)
      if (r.name == name) return &r;
    return nullptr;
  }
};

std::vector<std::string> cells(const std::string& line) {
  std::vector<std::string> out;
  std::string cell;
  for (std::size_t i = 1; i < line.size(); ++i) {
    if (line[i] == '|') {
      const auto b = cell.find_first_not_of(' ');
      const auto e = cell.find_last_not_of(' ');
      out.push_back(b == std::string::npos ? "" : cell.substr(b, e - b + 1));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  return out;
}

Spec read_spec() {
  Spec spec;
  std::istringstream lines(golden::read_doc("003_966bab6c62b1b6c6.txt"));
  std::string line, section, heading;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    if (line[0] != '|') {
      heading = line;
      if (line.size() > 11 && line.substr(line.size() - 11) == " Parameters") section = line;
      continue;
    }
    const auto c = cells(line);
    if (c.empty() || c[0].find("---") == 0) continue;
    if (c.size() == 5 && (c[3] == "X" || c[3] == "-")) {
      spec.rows.push_back({section, c[0], c[1], c[2], c[3] == "X", c[4] == "X"});
    } else if (c.size() == 2 && heading == "The following events are supported." && c[0] != "Event Name") {
      spec.events.push_back(c[0]);
    } else if (c.size() == 2 && heading == "The call disposition will have one of the following values." &&
               c[0] != "Value") {
      spec.dispositions.push_back(c[0]);
    }
  }
  return spec;
}

using vtest::Params;
using vtest::params_of;

std::vector<callhook::vendors::Delivery> generate(std::uint64_t seed, const std::string& config_text) {
  auto call = golden::sample_call(seed);
  call.country = "61";
  call.user_number = "+61412345678";
  call.agent_number = "+61291234567";
  return vtest::run(*vtest::configured(callhook::vendors::fonedynamics_info(), config_text), call).all;
}

// The "yyyy-MM-dd HH:mm:ss" of a description as a regular expression.
std::string date_pattern(const std::string& description) {
  const auto at = description.find("formatted as ");
  std::string format = description.substr(at + 13);
  if (!format.empty() && format.back() == '.') format.pop_back();
  std::string out;
  for (char c : format)
    out += (c == 'y' || c == 'M' || c == 'd' || c == 'H' || c == 'm' || c == 's') ? "[0-9]" : std::string(1, c);
  return out;
}

// Checks one request against the tables; `blank` says optional parameters
// without a value are sent blank rather than left out.
void check_request(const Spec& spec, const callhook::vendors::Delivery& d, bool blank) {
  INFO(d.event << " " << (d.method == "GET" ? d.url : d.body));
  const bool complete = d.event == "Call.Complete";
  CHECK(std::find(spec.events.begin(), spec.events.end(), d.event) != spec.events.end());
  const Params params = params_of(d);
  std::map<std::string, std::string> values;
  std::size_t last_row = 0;
  for (const auto& [name, value] : params) {
    INFO(name);
    CHECK(values.count(name) == 0);  // no parameter twice
    values[name] = value;
    const Row* row = spec.find(name);
    REQUIRE(row != nullptr);  // no parameter the document lacks
    CHECK((complete ? row->complete : row->initiate));
    // Table order.
    const auto index = static_cast<std::size_t>(row - spec.rows.data());
    CHECK(index >= last_row);
    last_row = index;
    if (row->type == "integer" && !value.empty()) CHECK(golden::matches(value, "[0-9]+"));
  }
  const bool web_session = values.count("Session.Traffic.Type") == 1;
  for (const auto& row : spec.rows) {
    INFO(row.name);
    if (!(complete ? row.complete : row.initiate)) continue;
    if (row.group == "Session Parameters" && !web_session) continue;
    if (!row.optional() || blank) CHECK(values.count(row.name) == 1);
  }
  if (web_session) {
    for (const auto& row : spec.rows)
      if (row.group == "Session Parameters" && !row.optional()) CHECK(values.count(row.name) == 1);
  }

  // Values the descriptions pin down.
  CHECK(values["Action"] == "Webhook");  // "Value will be: Webhook"
  CHECK(spec.find("Action")->description == "Value will be: Webhook");
  CHECK(values["Event"] == d.event);
  CHECK(values["Property.Type"] == "Site");
  CHECK(golden::matches(values["Call.StartDate"], date_pattern(spec.find("Call.StartDate")->description)));
  CHECK((values["Call.From"] == "anonymous" || golden::matches(values["Call.From"], golden::k_e164)));
  CHECK(golden::matches(values["Call.To"], golden::k_e164));
  if (values.count("Call.Endpoint") && !values["Call.Endpoint"].empty())
    CHECK(golden::matches(values["Call.Endpoint"], golden::k_e164));
  if (complete) {
    CHECK((values["Call.To.Type"] == "Static" || values["Call.To.Type"] == "Dynamic"));
    CHECK(std::find(spec.dispositions.begin(), spec.dispositions.end(), values["Call.Disposition"]) !=
          spec.dispositions.end());
    if (!values["Call.Recording.Uri"].empty())
      CHECK(golden::matches(values["Call.Recording.Uri"],
                            "http://127\\.0\\.0\\.1:4000/recordings/" + values["Call.Sid"] + "-[0-9]+\\.(wav|ogg)"));
  }
  if (web_session) {
    const std::string& types = spec.find("Session.Traffic.Type")->description;
    CHECK(types.find(values["Session.Traffic.Type"]) != std::string::npos);
  }
  if (values["Call.From"] == "anonymous") {
    for (const char* geo : {"Call.From.Country", "Call.From.Region", "Call.From.City"}) CHECK(values[geo].empty());
  }
  CHECK(d.event_field == "Event");
}

}  // namespace

TEST_CASE("fonedynamics tables are read from the document", "[golden][fonedynamics]") {
  const Spec spec = read_spec();
  CHECK(spec.events == std::vector<std::string>{"Call.Initiate", "Call.Complete"});
  CHECK(spec.dispositions == std::vector<std::string>{"ANSWERED", "NO ANSWER", "BUSY", "IVR", "FAILED"});
  REQUIRE(spec.find("Call.Duration") != nullptr);
  CHECK_FALSE(spec.find("Call.Duration")->initiate);
  CHECK(spec.find("Call.Duration")->type == "integer");
  CHECK(spec.find("Call.Recording.Uri")->optional());
  CHECK(spec.rows.size() == 39);  // 6 common, 21 call, 4 attribution, 6 session, 2 integration
}

TEST_CASE("fonedynamics requests follow the parameter tables", "[golden][fonedynamics]") {
  const Spec spec = read_spec();
  const std::vector<std::pair<std::string, bool>> configs = {
      {R"({})", false},
      {R"({"method": "GET"})", false},
      {R"({"optional_fields": "blank"})", true},
      {R"({"method": "GET", "optional_fields": "blank", "dynamic_p": 1})", true},
      {R"({"dynamic_p": 1, "survey_p": 1, "prompts_p": 1, "integration_p": 1, "traffic": {"Campaign": 1}})", false},
      {R"({"dynamic_p": 0, "anonymous_p": 1, "recording": {"format": "ogg"}})", false},
  };
  std::set<std::string> dispositions_seen;
  for (const auto& [config, blank] : configs) {
    for (std::uint64_t seed = 1; seed <= 40; ++seed) {
      const auto batch = generate(seed, config);
      REQUIRE(batch.size() == 2);
      for (const auto& d : batch) check_request(spec, d, blank);
      for (const auto& [name, value] : params_of(batch[1]))
        if (name == "Call.Disposition") dispositions_seen.insert(value);
    }
  }
  // The default mix produces every documented disposition over these calls.
  CHECK(dispositions_seen.size() == spec.dispositions.size());
}

TEST_CASE("fonedynamics sends the second custom dimension only when asked", "[golden][fonedynamics]") {
  // The session table lists AnalyticsSession.CustomDimension1 twice (the
  // second row is presumably CustomDimension2); callhook sends it only with
  // the documented custom_dimension2 setting.
  const Spec spec = read_spec();
  CHECK(std::count_if(spec.rows.begin(), spec.rows.end(),
                      [](const Row& r) { return r.name == "AnalyticsSession.CustomDimension1"; }) == 2);
  const auto plain = generate(3, R"({"dynamic_p": 1, "optional_fields": "blank"})");
  const auto with = generate(3, R"({"dynamic_p": 1, "optional_fields": "blank", "custom_dimension2": true})");
  const auto has = [](const Params& p, const std::string& name) {
    return std::any_of(p.begin(), p.end(), [&](const auto& kv) { return kv.first == name; });
  };
  CHECK_FALSE(has(params_of(plain[0]), "AnalyticsSession.CustomDimension2"));
  CHECK(has(params_of(with[0]), "AnalyticsSession.CustomDimension2"));
}
