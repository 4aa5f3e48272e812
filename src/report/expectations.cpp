#include "report/expectations.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string_view>

namespace callhook::report {
namespace {

enum class Bound { Upper, Lower };

// A measure of nothing (a percentile of no answers, a ratio of nothing
// planned) has no value: `missing` says what was missing.
struct Measure {
  Bound bound;
  double actual;
  const char* missing = nullptr;
};

double ms_from_us(double us) { return us / 1000.0; }

std::optional<Measure> measure(std::string_view name, const RunStats& stats) {
  const Counts& totals = stats.totals();
  const auto upper = [](auto value) { return Measure{Bound::Upper, static_cast<double>(value)}; };
  const auto lower = [](auto value) { return Measure{Bound::Lower, static_cast<double>(value)}; };
  const auto none = [](Bound bound, const char* missing) { return Measure{bound, 0, missing}; };
  const bool answered = stats.latency().count() > 0;
  constexpr const char* k_no_answers = "no answered attempts";
  if (name == "failed") return upper(totals.failed);
  if (name == "dropped") return upper(totals.dropped);
  if (name == "retried") return upper(totals.retried);
  if (name == "out_of_order") return upper(totals.out_of_order);
  if (name == "too_slow") return upper(totals.too_slow);
  if (name == "rejected_as_expected") return lower(totals.rejected_as_expected);
  if (name == "accepted_bad_signature") return upper(totals.accepted_bad_signature);
  if (name == "accepted_stale_timestamp") return upper(totals.accepted_stale_timestamp);
  if (name == "findings") return upper(stats.findings_total());
  if (name == "probe_failures") return upper(stats.probe_failures());
  if (name == "p50_latency_ms")
    return answered ? upper(ms_from_us(stats.latency().percentile(50))) : none(Bound::Upper, k_no_answers);
  if (name == "p90_latency_ms")
    return answered ? upper(ms_from_us(stats.latency().percentile(90))) : none(Bound::Upper, k_no_answers);
  if (name == "p99_latency_ms")
    return answered ? upper(ms_from_us(stats.latency().percentile(99))) : none(Bound::Upper, k_no_answers);
  if (name == "max_latency_ms")
    return answered ? upper(ms_from_us(static_cast<double>(stats.latency().max()))) : none(Bound::Upper, k_no_answers);
  if (name == "p99_lateness_ms") {
    if (stats.lateness().count() == 0) return none(Bound::Upper, "no attempts sent");
    return upper(ms_from_us(stats.lateness().percentile(99)));
  }
  if (name == "delivered") return lower(totals.delivered);
  if (name == "planned") return lower(totals.planned);
  if (name == "min_delivered_ratio") {
    if (totals.planned == 0) return none(Bound::Lower, "nothing planned");
    return lower(static_cast<double>(totals.delivered) / static_cast<double>(totals.planned));
  }
  if (name == "min_throughput_per_s") {
    if (totals.sent == 0) return none(Bound::Lower, "no attempts sent");
    return lower(stats.mean_sent_per_s());
  }
  return std::nullopt;
}

// Up to three decimals, without trailing zeros: "0.975", "250", "12.5".
std::string short_decimal(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.3f", value);
  std::string out = text;
  if (out.find('.') != std::string::npos) {
    while (out.back() == '0') out.pop_back();
    if (out.back() == '.') out.pop_back();
  }
  return out == "-0" ? "0" : out;
}

// For an unmet limit that three decimals would show equal to the actual.
std::string precise(double value) {
  char text[64];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// A receiver that accepts what it must refuse fails the run unless the
// scenario names the count with its own limit: "accepted_*: 0" is implied.
// A scenario that expects nothing expects every delivery to succeed: a run
// whose deliveries failed does not end as a success because no one said
// otherwise ("failed: 0"; a scenario that expects failures names them).
// Both are added only when unmet, so a passing run's report lists just
// what the scenario said.
scenario::Expectations with_implied(const scenario::Expectations& expectations, const RunStats& stats) {
  scenario::Expectations out = expectations;
  const Counts& totals = stats.totals();
  // (A probe's implied probe_failures is not an expectation the scenario named.)
  const bool named_none = std::all_of(expectations.begin(), expectations.end(),
                                      [](const auto& expectation) { return expectation.first == "probe_failures"; });
  if (named_none && totals.failed > 0) out.emplace_back("failed", 0);
  for (const auto& implied : {std::pair{"accepted_bad_signature", totals.accepted_bad_signature},
                              std::pair{"accepted_stale_timestamp", totals.accepted_stale_timestamp}}) {
    const std::string name = implied.first;
    const bool named = std::any_of(expectations.begin(), expectations.end(),
                                   [&](const auto& expectation) { return expectation.first == name; });
    if (implied.second > 0 && !named) out.emplace_back(name, 0);
  }
  return out;
}

}  // namespace

std::optional<double> measured(std::string_view name, const RunStats& stats) {
  const auto found = measure(name, stats);
  if (!found) return std::nullopt;
  return found->actual;
}

std::vector<ExpectationResult> check_expectations(const scenario::Expectations& scenario_expectations,
                                                  const RunStats& stats) {
  const scenario::Expectations expectations = with_implied(scenario_expectations, stats);
  std::vector<ExpectationResult> results;
  results.reserve(expectations.size());
  for (const auto& [name, limit] : expectations) {
    ExpectationResult result{name, limit, 0, false, false, {}};
    const std::optional<Measure> found = measure(name, stats);
    if (!found) {
      result.text = name + ": unknown expectation";
    } else if (found->missing != nullptr) {
      // A limit on nothing is not met: a run that measured nothing proves nothing.
      result.no_data = true;
      result.text = name + ": no data (" + found->missing + ")";
    } else {
      result.actual = found->actual;
      const bool upper = found->bound == Bound::Upper;
      result.met = upper ? result.actual <= limit : result.actual >= limit;
      const char* relation = upper ? (result.met ? " <= " : " > ") : (result.met ? " >= " : " < ");
      std::string actual = short_decimal(result.actual);
      std::string shown_limit = short_decimal(limit);
      if (!result.met && actual == shown_limit) {
        actual = precise(result.actual);
        shown_limit = precise(limit);
      }
      result.text = name + " " + actual + relation + shown_limit;
    }
    results.push_back(std::move(result));
  }
  return results;
}

bool all_met(const std::vector<ExpectationResult>& results) {
  return std::all_of(results.begin(), results.end(), [](const ExpectationResult& r) { return r.met; });
}

}  // namespace callhook::report
