#include <catch2/catch.hpp>

#include <cstddef>
#include <sstream>
#include <string>
#include <vector>

#include "report/junit.hpp"
#include "report_fixtures.hpp"

using namespace callhook::report;
using namespace callhook::report::testing;

namespace {

// A small XML well-formedness check: one root, balanced tags, quoted
// attributes without raw '<', only the five predefined or numeric entities,
// no control characters. Returns "" when well formed, otherwise the problem.
std::string xml_problem(const std::string& xml) {
  std::size_t i = 0;
  if (xml.rfind("<?xml ", 0) == 0) i = xml.find("?>") + 2;
  std::vector<std::string> open;
  int roots = 0;
  const auto check_entity = [&](std::size_t at) -> bool {
    const std::size_t end = xml.find(';', at);
    if (end == std::string::npos) return false;
    const std::string name = xml.substr(at + 1, end - at - 1);
    if (name == "amp" || name == "lt" || name == "gt" || name == "quot" || name == "apos") return true;
    return name.size() > 1 && name[0] == '#' && name.find_first_not_of("0123456789", 1) == std::string::npos;
  };
  while (i < xml.size()) {
    const char c = xml[i];
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t' && c != '\r') return "control character";
    if (c == '&') {
      if (!check_entity(i)) return "bad entity at " + std::to_string(i);
      ++i;
      continue;
    }
    if (c == '>') return "stray '>' at " + std::to_string(i);
    if (c != '<') {
      if (open.empty() && c != '\n' && c != ' ') return "text outside the root at " + std::to_string(i);
      ++i;
      continue;
    }
    // A tag: scan to its end, respecting quoted attribute values.
    std::size_t j = i + 1;
    bool closing = xml[j] == '/';
    if (closing) ++j;
    const std::size_t name_start = j;
    while (j < xml.size() && (std::isalnum(static_cast<unsigned char>(xml[j])) || xml[j] == '_')) ++j;
    const std::string name = xml.substr(name_start, j - name_start);
    if (name.empty()) return "tag without a name at " + std::to_string(i);
    while (j < xml.size() && xml[j] != '>') {
      if (xml[j] == '"') {
        const std::size_t end = xml.find('"', j + 1);
        if (end == std::string::npos) return "unterminated attribute";
        for (std::size_t k = j + 1; k < end; ++k) {
          if (xml[k] == '<') return "'<' in an attribute";
          if (xml[k] == '&' && !check_entity(k)) return "bad entity in an attribute";
          if (static_cast<unsigned char>(xml[k]) < 0x20) return "control character in an attribute";
        }
        j = end + 1;
      } else if (xml[j] == '<' || xml[j] == '\'') {
        return "bad character in tag " + name;
      } else {
        ++j;
      }
    }
    if (j >= xml.size()) return "unterminated tag " + name;
    const bool self_closing = xml[j - 1] == '/';
    if (closing) {
      if (open.empty() || open.back() != name) return "mismatched </" + name + ">";
      open.pop_back();
    } else if (!self_closing) {
      if (open.empty()) ++roots;
      open.push_back(name);
    } else if (open.empty()) {
      ++roots;
    }
    i = j + 1;
  }
  if (!open.empty()) return "unclosed <" + open.back() + ">";
  if (roots != 1) return "expected one root element";
  return "";
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++count;
  return count;
}

RunInfo info() {
  RunInfo run;
  run.scenario_name = "junit <&> \"test\"";
  run.scenario_path = "s.json";
  run.seed = 9;
  run.duration_s = 1.5;
  run.calls = 3;
  return run;
}

}  // namespace

TEST_CASE("the XML checker catches what it is meant to") {
  CHECK(xml_problem("<a><b x=\"1\"/></a>").empty());
  CHECK_FALSE(xml_problem("<a><b></a>").empty());
  CHECK_FALSE(xml_problem("<a>x & y</a>").empty());
  CHECK_FALSE(xml_problem("<a x=\"<\"/>").empty());
  CHECK_FALSE(xml_problem("<a>\x01</a>").empty());
  CHECK_FALSE(xml_problem("<a/><b/>").empty());
}

TEST_CASE("JUnit: one test case per call, failures with reasons, escaped") {
  RunStats stats;
  for (int i = 0; i < 4; ++i) stats.on_planned("start");
  stats.on_final(final_event("start", "ok-call", 0, Final::Delivered));
  stats.on_final(final_event("start", "bad<&>\"'call", 1, Final::Failed, "status 503 after 3 attempts"));
  stats.on_final(final_event("start", "probed", 2, Final::Delivered));
  stats.on_final(final_event("start", "ok-call", 3, Final::Dropped, "", {"drop"}));
  stats.on_finding({"bad<&>\"'call", "start", "bad JSON: \x01\xff"});
  stats.on_probe(testing::probe("probed", "http://x/calls/probed?a=1&b=2", false, "/status: expected \"ended\""));

  std::ostringstream out;
  write_junit(stats, info(), out, check_expectations({{"failed", 0}, {"dropped", 1}}, stats));
  const std::string xml = out.str();
  INFO(xml);
  CHECK(xml_problem(xml).empty());

  // 3 calls + accounting + 2 expectations; failing: 2 calls, 1 expectation.
  CHECK_THAT(xml,
             Catch::Contains("<testsuites name=\"callhook\" tests=\"6\" failures=\"3\" errors=\"0\" time=\"1.500\">"));
  CHECK_THAT(xml,
             Catch::Contains("<testsuite name=\"junit &lt;&amp;&gt; &quot;test&quot;\" tests=\"6\" failures=\"3\""));
  CHECK(occurrences(xml, "<testcase ") == 6);
  CHECK(occurrences(xml, "<failure ") == 3);
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"start ok-call\" classname=\"junit &lt;&amp;&gt; &quot;test&quot;\" "
                                  "time=\"0.000\"/>"));
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"start bad&lt;&amp;&gt;&quot;&apos;call\""));
  CHECK_THAT(xml,
             Catch::Contains("<failure message=\"delivery #1 start: status 503 after 3 attempts\" type=\"delivery\">"
                             "delivery #1 start: status 503 after 3 attempts&#10;"
                             "finding (start): bad JSON: \\x01\xEF\xBF\xBD&#10;</failure>"));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"probe http://x/calls/probed?a=1&amp;b=2: /status: expected "
                                  "&quot;ended&quot;\" type=\"probe\">"));
  CHECK_THAT(xml,
             Catch::Contains("<testcase name=\"accounting\" classname=\"junit &lt;&amp;&gt; &quot;test&quot;.run\" "
                             "time=\"0.000\"/>"));
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"expect failed\""));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"failed 1 &gt; 0\" type=\"expectation\">"));
  CHECK_THAT(xml, Catch::Contains("<property name=\"seed\" value=\"9\"/>"));
}

TEST_CASE("JUnit: unaccounted deliveries fail the accounting case") {
  RunStats stats;
  stats.on_planned("start");
  std::ostringstream out;
  write_junit(stats, info(), out);
  CHECK(xml_problem(out.str()).empty());
  CHECK_THAT(out.str(),
             Catch::Contains("<failure message=\"1 planned deliveries unaccounted for\" type=\"accounting\">"));
}

TEST_CASE("JUnit without call ids: failing calls and one case for the rest") {
  RunStats::Options options;
  options.keep_call_ids = false;
  RunStats stats(options);
  for (int i = 0; i < 10; ++i) {
    stats.on_call_started();
    stats.on_final(final_event("e", "call-" + std::to_string(i), static_cast<std::uint64_t>(i),
                               i == 4 ? Final::Failed : Final::Delivered, "timeout"));
  }
  RunInfo run = info();
  run.calls = 10;
  std::ostringstream out;
  write_junit(stats, run, out);
  const std::string xml = out.str();
  INFO(xml);
  CHECK(xml_problem(xml).empty());
  CHECK(occurrences(xml, "<testcase ") == 3);  // call-4, 9 other calls, accounting
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"e call-4\""));
  CHECK_THAT(xml, Catch::Contains("<testcase name=\"9 other calls\" classname=\"junit &lt;&amp;&gt; &quot;test&quot;\" "
                                  "time=\"0.000\"/>"));
}

TEST_CASE("JUnit: a call's case is named vendor, events and call id, and timed by its attempts") {
  RunStats stats;
  for (int i = 0; i < 3; ++i) stats.on_planned("runtime.call.start");
  stats.on_attempt(attempt("runtime.call.start", "CA1", 200, 20000, 100000));
  stats.on_attempt(attempt("runtime.session.start", "CA1", 200, 5000, 300000));
  stats.on_attempt(attempt("runtime.call.end", "CA1", 200, 30000, 1500000));  // answered at 1.53 s
  for (const auto& [event, n] :
       {std::pair{"runtime.call.start", 0}, {"runtime.session.start", 1}, {"runtime.call.end", 2}}) {
    FinalEvent f = final_event(event, "CA1", static_cast<std::uint64_t>(n), Final::Delivered);
    f.vendor = "voiceflow";
    stats.on_final(f);
  }
  std::ostringstream out;
  write_junit(stats, info(), out, {});
  INFO(out.str());
  CHECK_THAT(out.str(), Catch::Contains("<testcase name=\"voiceflow runtime.call.start..runtime.call.end CA1\" "
                                        "classname=\"junit &lt;&amp;&gt; &quot;test&quot;\" time=\"1.430\"/>"));
}
