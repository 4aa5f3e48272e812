#include <catch2/catch.hpp>

#include <regex>
#include <set>

#include "support/vendor_session.hpp"
#include "util/time_format.hpp"
#include "vendors/fonedynamics.hpp"

using namespace vtest;

namespace {

const vendors::VendorInfo& info() { return vendors::fonedynamics_info(); }

std::unique_ptr<vendors::Vendor> vendor(const std::string& config = "{}") { return configured(info(), config); }

population::Call au_call(std::uint64_t seed) {
  auto call = make_call(seed);
  call.country = "61";
  call.user_number = "+61412345678";
  call.agent_number = "+61291234567";
  return call;
}

}  // namespace

TEST_CASE("fonedynamics profile declares its events and delivery defaults", "[fonedynamics]") {
  CHECK(info().name == "fonedynamics");
  CHECK(info().events == std::vector<std::string>{"Call.Initiate", "Call.Complete"});
  CHECK(info().defaults.timeout_ms == 10000);
  CHECK(info().defaults.retry.max_attempts == 1);
  CHECK(info().defaults.signing == "none");
}

TEST_CASE("fonedynamics configuration problems name their JSON pointers", "[fonedynamics]") {
  const std::string p = k_pointer;
  const std::vector<std::pair<std::string, std::string>> table = {
      {R"({"method": "PUT"})", p + "/method: expected one of \"POST\", \"GET\", got \"PUT\" (did you mean \"POST\"?)"},
      {R"({"dispositions": {"ANSWER": 1}})", p + "/dispositions/ANSWER: unknown key (did you mean \"ANSWERED\"?)"},
      {R"({"traffic": {"Organic": 0}})", p + "/traffic: expected at least one positive weight"},
      {R"({"anonymous_p": 2})", p + "/anonymous_p: expected a probability from 0 to 1, got 2"},
      {R"({"endpoint": "0291234567"})",
       p + "/endpoint: expected an E.164 number such as \"+61291234567\", got \"0291234567\""},
      {R"({"recording": {"format": "mp3"}})", p + "/recording/format: expected one of \"wav\", \"ogg\", got \"mp3\""},
      {R"({"recording": {"bytes_per_second": 0}})",
       p + "/recording/bytes_per_second: expected an integer from 1 to 1000000, got 0"},
      {R"({"optional_fields": "none"})", p + "/optional_fields: expected one of \"omit\", \"blank\", got \"none\""},
      {R"({"complete_delay_ms": -5})", p + "/complete_delay_ms: expected a non-negative integer, got -5"},
  };
  for (const auto& [config, expected] : table) {
    INFO(config);
    const auto c = configure(info(), config);
    CHECK(c.vendor == nullptr);
    CHECK(c.lines() == std::vector<std::string>{expected});
  }
}

TEST_CASE("fonedynamics sends Call.Initiate at the start and Call.Complete at the end", "[fonedynamics]") {
  const auto call = au_call(2);
  for (const auto& [config, delay] :
       std::vector<std::pair<std::string, std::int64_t>>{{"{}", 0}, {R"({"complete_delay_ms": 1500})", 1500}}) {
    const Run r = run(*vendor(config), call);
    REQUIRE(r.all.size() == 2);
    CHECK(r.all[0].event == "Call.Initiate");
    CHECK(r.all[0].due_ms == call.start_ms);
    CHECK(r.all[1].event == "Call.Complete");
    CHECK(r.all[1].due_ms == call.end_ms() + delay);
    for (const auto& d : r.all) {
      CHECK(d.event_field == "Event");
      CHECK_FALSE(d.blocking);
      CHECK(param(params_of(d), "Event") == d.event);
      CHECK(param(params_of(d), "Call.Sid") == d.call_id);
      CHECK(param(params_of(d), "Call.StartDate") == util::sql_datetime(call.start_ms));
    }
    const Params initiate = params_of(r.all[0]);
    for (const char* only_complete : {"Call.To.Type", "Call.Duration", "Call.Disposition", "Call.Recording.Uri",
                                      "Call.Survey.Type", "Call.Prompts.Keys"})
      CHECK(param(initiate, only_complete) == "<absent>");
    CHECK(param(params_of(r.all[1]), "Call.Duration") == "95");
  }
}

TEST_CASE("fonedynamics encodes the same parameters as a POST form or a GET query", "[fonedynamics]") {
  const auto call = au_call(5);
  const Run post = run(*vendor(), call);
  const Run get = run(*vendor(R"({"method": "GET"})"), call);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& p = post.all[i];
    const auto& g = get.all[i];
    CHECK(p.method == "POST");
    CHECK(p.content_type == "application/x-www-form-urlencoded");
    CHECK(p.url == k_context.target);
    CHECK(g.method == "GET");
    CHECK(g.body.empty());
    CHECK(g.content_type.empty());
    CHECK(g.url == k_context.target + "?" + p.body);
    CHECK(params_of(p) == params_of(g));
    // '+' and spaces are percent-encoded; nothing is left for a form decoder to misread.
    CHECK(p.body.find('+') == std::string::npos);
    CHECK(p.body.find(' ') == std::string::npos);
    CHECK(p.body.find("Call.From=%2B61412345678") != std::string::npos);
  }
}

TEST_CASE("fonedynamics caller ids and locations", "[fonedynamics]") {
  const auto call = au_call(6);
  const Params anonymous = params_of(run(*vendor(R"({"anonymous_p": 1})"), call).all[0]);
  CHECK(param(anonymous, "Call.From") == "anonymous");
  for (const char* geo : {"Call.From.Country", "Call.From.Region", "Call.From.City"})
    CHECK(param(anonymous, geo).empty());

  const Params known = params_of(run(*vendor(R"({"anonymous_p": 0, "geo_unknown_p": 0})"), call).all[0]);
  CHECK(param(known, "Call.From") == call.user_number);
  CHECK(param(known, "Call.From.Country") == "AU");
  CHECK_FALSE(param(known, "Call.From.City").empty());

  const Params unknown = params_of(run(*vendor(R"({"anonymous_p": 0, "geo_unknown_p": 1})"), call).all[0]);
  CHECK(param(unknown, "Call.From") == call.user_number);
  CHECK(param(unknown, "Call.From.Country").empty());  // blank if unknown, but present
}

TEST_CASE("fonedynamics dispositions decide transfer, recording and survey fields", "[fonedynamics]") {
  const auto call = au_call(8);
  struct Row {
    const char* disposition;
    bool endpoint;
    bool recording;
  };
  for (const Row& row : {Row{"ANSWERED", true, true}, Row{"NO ANSWER", true, false}, Row{"BUSY", true, false},
                         Row{"IVR", false, false}, Row{"FAILED", false, false}}) {
    INFO(row.disposition);
    const std::string config = std::string(R"({"dispositions": {")") + row.disposition +
                               R"(": 1}, "recording": {"p": 1}, "survey_p": 1, "endpoint": "+61299990000"})";
    const Params complete = params_of(run(*vendor(config), call).all[1]);
    CHECK(param(complete, "Call.Disposition") == row.disposition);
    CHECK((param(complete, "Call.Endpoint") == "+61299990000") == row.endpoint);
    CHECK((param(complete, "Call.Recording.Uri") != "<absent>") == row.recording);
    CHECK((param(complete, "Call.Survey.Type") != "<absent>") == row.recording);
  }
}

TEST_CASE("fonedynamics recording URLs name a file of a plausible size", "[fonedynamics]") {
  const auto call = au_call(9);
  for (const auto& [format, bytes_per_second] :
       std::vector<std::pair<std::string, std::int64_t>>{{"wav", 16000}, {"ogg", 2000}}) {
    const std::string config =
        R"({"dispositions": {"ANSWERED": 1}, "recording": {"p": 1, "format": ")" + format + "\"}}";
    const Run r = run(*vendor(config), call);
    const std::string uri = param(params_of(r.all[1]), "Call.Recording.Uri");
    std::smatch m;
    REQUIRE(std::regex_match(
        uri, m, std::regex("http://127\\.0\\.0\\.1:4000/recordings/" + r.all[1].call_id + "-([0-9]+)\\." + format)));
    const double bytes = std::stod(m[1].str());
    const double expected = 95.3 * static_cast<double>(bytes_per_second);
    CHECK(bytes > expected * 0.95);
    CHECK(bytes < expected * 1.05 + 44);
  }
  const Params none =
      params_of(run(*vendor(R"({"dispositions": {"ANSWERED": 1}, "recording": {"p": 0}})"), call).all[1]);
  CHECK(param(none, "Call.Recording.Uri") == "<absent>");
  const Params blank = params_of(
      run(*vendor(R"({"dispositions": {"ANSWERED": 1}, "recording": {"p": 0}, "optional_fields": "blank"})"), call)
          .all[1]);
  CHECK(param(blank, "Call.Recording.Uri").empty());
}

TEST_CASE("fonedynamics web sessions bring session and attribution parameters", "[fonedynamics]") {
  const auto call = au_call(10);
  const Params web =
      params_of(run(*vendor(R"({"dynamic_p": 1, "traffic": {"Campaign": 1}, "integration_p": 1})"), call).all[1]);
  CHECK(param(web, "Call.To.Type") == "Dynamic");
  CHECK(param(web, "Session.Traffic.Type") == "Campaign");
  CHECK(param(web, "Attribution.Medium") == "cpc");
  CHECK(param(web, "Session.LandingUri").find("utm_campaign=spring+promo") != std::string::npos);
  CHECK(param(web, "Google.AdWords.ClickId") != "<absent>");

  const Params phone = params_of(run(*vendor(R"({"dynamic_p": 0})"), call).all[1]);
  CHECK(param(phone, "Call.To.Type") == "Static");
  CHECK(param(phone, "Session.Traffic.Type") == "<absent>");
  CHECK(param(phone, "Attribution.Source").empty());
}

TEST_CASE("fonedynamics requests are deterministic", "[fonedynamics]") {
  const auto v = vendor();
  const Run a = run(*v, au_call(20));
  const Run b = run(*v, au_call(20));
  CHECK(a.all[0].body == b.all[0].body);
  CHECK(a.all[1].body == b.all[1].body);
  CHECK(run(*v, au_call(21)).all[0].call_id != a.all[0].call_id);
}
