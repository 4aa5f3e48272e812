#pragma once
// What a run started through the API may ask for: the server's limits on
// one run (wall time, deliveries, concurrency, connections) and the targets
// it may reach. Checked before anything starts, with pointers into the
// request body.
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

#include "scenario/scenario.hpp"
#include "serve/target_policy.hpp"
#include "util/json_cursor.hpp"

namespace callhook::serve {

struct RunLimits {
  double max_duration_s = 3600;              // --max-run-duration: a run's wall time (and its request's cap)
  std::int64_t max_deliveries = 10'000'000;  // --max-run-deliveries: calls x deliveries a call, estimated
  std::int64_t max_concurrency = 10'000;     // --max-run-concurrency: calls live at once
  std::int64_t max_connections = 256;        // --max-run-connections: keep-alive connections per receiver
};

struct RunPolicy {
  RunLimits limits;
  TargetPolicy targets;
  std::string scenarios_dir;  // --scenarios: where a request's scenario name is looked up; "" = none
  std::string listen_host;    // --listen's host: a run's recording server may listen there (or on loopback)
};

// A request the server will not carry out: 400 over a limit, 403 for a
// target it may not reach; every problem at its pointer into the body.
class RequestRefused : public std::runtime_error {
 public:
  RequestRefused(int status, util::Problems problems);
  int status() const { return m_status; }
  const util::Problems& problems() const { return m_problems; }

 private:
  int m_status;
  util::Problems m_problems;
};

// A stream's deliveries, estimated before the run: its calls (count, or
// rate x for_s, or the ramp's calls) x (the vendor's events + typical turns)
// x the attempts its retry policy allows. -1 when it has no vendor.
double estimate_deliveries(const scenario::Stream& stream);

// Checks a loaded scenario (pointers under `prefix`, "/scenario"): each
// stream's deliveries and the whole run's, its concurrency unless the
// request set it, every stream target and probe URL. Throws RequestRefused.
void check_scenario(const scenario::Scenario& scenario, const RunPolicy& policy, const std::string& prefix,
                    bool concurrency_from_request);

// Adds a problem for each stream target and probe URL the policy refuses
// (pointers under `prefix`).
void refuse_scenario_targets(const scenario::Scenario& scenario, const TargetPolicy& targets, const std::string& prefix,
                             util::Problems& problems);

// Adds a problem at `pointer` when policy refuses the URL; true when it does.
bool refuse_target(const TargetPolicy& policy, const std::string& url, const std::string& pointer,
                   util::Problems& problems);

}  // namespace callhook::serve
