#include "serve/server_metrics.hpp"

#include <array>
#include <cstdint>
#include <cstdio>
#include <map>

#include "report/prometheus_text.hpp"

namespace callhook::serve {
namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, const std::string& name, const std::string& labels, double value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  char number[64];
  std::snprintf(number, sizeof number, " %.17g\n", value);
  out.append(number);
}

}  // namespace

std::string metrics_text(const std::vector<std::shared_ptr<Run>>& runs, std::size_t explores, std::size_t connections) {
  constexpr std::array<RunState, 4> k_states = {RunState::Running, RunState::Finished, RunState::Interrupted,
                                                RunState::Failed};
  // Outcomes as GET /runs/{id} counts them; summed over the runs held.
  constexpr std::array<const char*, 5> k_outcomes = {"delivered", "failed", "dropped", "cancelled", "too_slow"};
  std::map<RunState, std::int64_t> by_state;
  std::map<std::string, double> outcomes;
  double sent = 0, retried = 0, in_flight = 0, active_calls = 0;
  report::MetricsSample by_vendor;  // every run's, summed
  for (const auto& run : runs) {
    by_vendor.add(run->metrics());
    const auto described = run->describe();
    ++by_state[run->state()];
    const auto& counters = described["counters"];
    for (const char* outcome : k_outcomes) outcomes[outcome] += counters.value(outcome, 0.0);
    sent += counters.value("sent", 0.0);
    retried += counters.value("retried", 0.0);
    in_flight += counters.value("in_flight", 0.0);
    active_calls += counters.value("active_calls", 0.0);
  }
  std::string out;
  family(out, "callhook_runs", "gauge", "Runs the server holds, by state.");
  for (const RunState state : k_states)
    sample(out, "callhook_runs", std::string("state=\"") + state_name(state) + "\"",
           static_cast<double>(by_state[state]));
  family(out, "callhook_run_deliveries", "gauge",
         "Deliveries of the runs the server holds, by outcome (too_slow: delivered after the vendor's timeout).");
  for (const char* outcome : k_outcomes)
    sample(out, "callhook_run_deliveries", std::string("outcome=\"") + outcome + "\"", outcomes[outcome]);
  family(out, "callhook_run_attempts_sent", "gauge", "HTTP attempts sent by the runs the server holds.");
  sample(out, "callhook_run_attempts_sent", "", sent);
  family(out, "callhook_run_retries", "gauge", "Attempts that were retries, in the runs the server holds.");
  sample(out, "callhook_run_retries", "", retried);
  family(out, "callhook_in_flight", "gauge", "Webhook requests in flight now, over every run.");
  sample(out, "callhook_in_flight", "", in_flight);
  family(out, "callhook_active_calls", "gauge", "Synthetic calls in progress now, over every run.");
  sample(out, "callhook_active_calls", "", active_calls);
  family(out, "callhook_explores", "gauge", "Explores the server holds.");
  sample(out, "callhook_explores", "", static_cast<double>(explores));
  family(out, "callhook_connections", "gauge", "Open connections to the control API.");
  sample(out, "callhook_connections", "", static_cast<double>(connections));
  // Counters while the runs are held: a reset or a run forgotten lowers them, which Prometheus reads as a reset.
  out += report::delivery_metrics_text(by_vendor);
  return out;
}

}  // namespace callhook::serve
