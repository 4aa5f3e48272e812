#include "report/junit.hpp"

#include <algorithm>
#include <cstdio>
#include <ostream>
#include <string>

#include "report/escape.hpp"

namespace callhook::report {
namespace {

struct Case {
  std::string name;
  std::string classname;
  std::string message;  // empty when passing
  std::string type;
  std::string details;
  double time_s = 0;
};

// "voiceflow runtime.call.start..runtime.session.end CA12...": the vendor,
// the events of the call's first and last deliveries, the call id.
std::string case_name(const CallOutcome& call) {
  const std::string events = call.last_event.empty() || call.last_event == call.first_event
                                 ? call.first_event
                                 : call.first_event + ".." + call.last_event;
  std::string name;
  for (const std::string* part : {&call.vendor, &events, &call.call_id})
    if (!part->empty()) name += (name.empty() ? "" : " ") + *part;
  return name;
}

// The failure's kind, from how RunStats words its reasons.
std::string failure_type(const std::string& reason) {
  if (reason.rfind("delivery #", 0) == 0) return "delivery";
  if (reason.rfind("finding", 0) == 0) return "finding";
  if (reason.rfind("probe", 0) == 0) return "probe";
  return "failure";
}

Case call_case(const CallOutcome& call, const std::string& classname) {
  Case test{case_name(call), classname, {}, {}, {}, 0};
  if (call.first_sent_us >= 0)
    test.time_s = static_cast<double>(std::max<std::int64_t>(0, call.last_answer_us - call.first_sent_us)) / 1e6;
  if (call.failure_count == 0) return test;
  test.message = call.failures.front();
  test.type = failure_type(call.failures.front());
  for (const std::string& reason : call.failures) test.details += reason + "\n";
  const auto more = call.failure_count - static_cast<std::int64_t>(call.failures.size());
  if (more > 0) test.details += "and " + std::to_string(more) + " more\n";
  return test;
}

void write_case(const Case& test, std::ostream& out) {
  char time[32];
  std::snprintf(time, sizeof time, "%.3f", test.time_s);
  out << "    <testcase name=\"" << xml_escape(test.name) << "\" classname=\"" << xml_escape(test.classname)
      << "\" time=\"" << time << "\"";
  if (test.message.empty()) {
    out << "/>\n";
    return;
  }
  out << ">\n      <failure message=\"" << xml_escape(test.message) << "\" type=\"" << xml_escape(test.type) << "\">"
      << xml_escape(test.details) << "</failure>\n    </testcase>\n";
}

}  // namespace

void write_junit(const RunStats& stats, const RunInfo& info, std::ostream& out,
                 const std::vector<ExpectationResult>& expectations) {
  const std::string suite = info.scenario_name.empty() ? "callhook" : info.scenario_name;
  std::vector<Case> cases;
  cases.reserve(stats.calls().size() + expectations.size() + 2);
  for (const CallOutcome& call : stats.calls()) cases.push_back(call_case(call, suite));

  if (!stats.options().keep_call_ids) {
    // Passing calls were counted, not named: one case stands for them all.
    const std::int64_t calls = std::max(info.calls, stats.calls_started());
    const std::int64_t unlisted = calls - static_cast<std::int64_t>(stats.calls().size());
    if (unlisted > 0 || stats.failures_not_kept() > 0) {
      Case rest{std::to_string(std::max<std::int64_t>(unlisted, 0)) + " other calls", suite, {}, {}, {}, 0};
      if (stats.failures_not_kept() > 0) {
        rest.message = std::to_string(stats.failures_not_kept()) + " failures in calls beyond the first " +
                       std::to_string(RunStats::k_max_failing_calls) + " failing calls";
        rest.type = "delivery";
        rest.details = rest.message + "\n";
      }
      cases.push_back(std::move(rest));
    }
  }

  Case accounting{"accounting", suite + ".run", {}, {}, {}, 0};
  if (stats.unaccounted() != 0) {
    accounting.message = std::to_string(stats.unaccounted()) + " planned deliveries unaccounted for";
    accounting.type = "accounting";
    accounting.details = accounting.message + "\n";
  }
  cases.push_back(std::move(accounting));
  if (info.interrupted) {
    const std::string why = (info.aborted_by.empty() ? std::string("the run was interrupted: ")
                                                     : "the run was aborted by expectation " + info.aborted_by + ": ") +
                            std::to_string(stats.totals().cancelled) + " planned deliveries cancelled";
    cases.push_back(Case{"interrupted", suite + ".run", why, "interrupted", why + "\n", 0});
  }
  for (const ExpectationResult& result : expectations) {
    Case test{"expect " + result.name, suite + ".expectations", {}, {}, {}, 0};
    if (!result.met) {
      test.message = result.text;
      test.type = "expectation";
      test.details = result.text + "\n";
    }
    cases.push_back(std::move(test));
  }

  const auto failures = std::count_if(cases.begin(), cases.end(), [](const Case& c) { return !c.message.empty(); });
  char time[32];
  std::snprintf(time, sizeof time, "%.3f", info.duration_s);
  const std::string counts =
      "tests=\"" + std::to_string(cases.size()) + "\" failures=\"" + std::to_string(failures) + "\" errors=\"0\"";

  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites name=\"callhook\" " << counts << " time=\"" << time << "\">\n";
  out << "  <testsuite name=\"" << xml_escape(suite) << "\" " << counts << " skipped=\"0\" time=\"" << time << "\">\n";
  out << "    <properties>\n";
  const auto property = [&out](const std::string& name, const std::string& value) {
    out << "      <property name=\"" << name << "\" value=\"" << xml_escape(value) << "\"/>\n";
  };
  property("scenario", info.scenario_path);
  property("seed", std::to_string(info.seed));
  char speed[32];
  std::snprintf(speed, sizeof speed, "%g", info.speed);
  property("speed", info.speed <= 0 ? std::string("max") : std::string(speed));
  // Deliveries a correct receiver must refuse: refused, and accepted (each accepted one also fails its call).
  const Counts& totals = stats.totals();
  property("rejected_as_expected", std::to_string(totals.rejected_as_expected));
  property("accepted_bad_signature", std::to_string(totals.accepted_bad_signature));
  property("accepted_stale_timestamp", std::to_string(totals.accepted_stale_timestamp));
  out << "    </properties>\n";
  for (const Case& test : cases) write_case(test, out);
  out << "  </testsuite>\n</testsuites>\n";
}

}  // namespace callhook::report
