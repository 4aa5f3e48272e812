#pragma once
// The validated scenario: plain settings, nothing raw except each stream's
// vendor_config, which its vendor profile reads (and validates) itself.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "util/header.hpp"
#include "util/json_cursor.hpp"
#include "util/rng.hpp"

namespace callhook::scenario {

// A random quantity. JSON forms: 5 | {"fixed": 5} | {"uniform": [lo, hi]} |
// {"normal": [mean, stddev]} | {"exponential": mean} | {"lognormal": [mu, sigma]}.
struct Distribution {
  enum class Kind { Fixed, Uniform, Normal, Exponential, Lognormal };
  Kind kind = Kind::Fixed;
  double a = 0;  // fixed value, uniform lo, normal mean, exponential mean, lognormal mu
  double b = 0;  // uniform hi, normal stddev, lognormal sigma
  // One draw, never negative (every quantity it models is a size or a time).
  double sample(util::Rng& rng) const;
  static Distribution fixed(double v) { return {Kind::Fixed, v, 0}; }
};

struct RampStage {
  double duration_s = 0;
  double target_rate = 0;  // calls per second reached (linearly) at the stage's end
};

// When calls start. JSON: {"rate_per_s": 2} (constant), {"poisson": 2},
// {"stages": [...], "start_rate": 0} (ramp), {"at_ms": [0, 150, ...]} (list).
struct Arrival {
  enum class Kind { Constant, Poisson, Ramp, List };
  Kind kind = Kind::Constant;
  double rate_per_s = 1;
  double start_rate = 0;
  std::vector<RampStage> stages;
  std::vector<std::int64_t> at_ms;  // ascending (the loader sorts them)
};

using Mix = std::vector<std::pair<std::string, double>>;  // value, weight

struct Calls {
  std::optional<std::int64_t> count;  // stop after this many calls; 0 for a
                                      // stream without "calls" (script only)
  std::optional<double> for_s;        // stop starting calls after this long
  std::optional<std::int64_t> max_concurrent;
  Arrival arrival;
  Distribution duration_s = Distribution::fixed(60);
  Distribution turns = Distribution::fixed(4);
  Mix direction = {{"inbound", 1}};
  Mix platform;  // empty: the vendor's default
  std::string country = "1";
  double transfer_p = 0;  // caller asks for a human agent
  double return_p = 0;    // caller calls back while the session is live
  std::map<std::string, std::string> custom_parameters;
};

// Retry schedule. JSON: {"max_attempts": 4, "backoff_ms": [1000, 5000, 30000]}
// or {"max_attempts": 5, "exponential": {"initial_ms": 500, "multiplier": 2,
// "max_ms": 60000, "jitter": 0.2}}, plus "on": ["5xx","429","timeout","connect"]
// and "retry_after": true.
struct RetryPolicy {
  int max_attempts = 1;                  // total tries, the first included; 1 = no retries
  std::vector<std::int64_t> backoff_ms;  // explicit schedule (last entry repeats)
  std::int64_t initial_ms = 1000;
  double multiplier = 2;
  std::int64_t max_ms = 60000;
  double jitter = 0;  // +- fraction of each wait
  bool on_5xx = true, on_429 = true, on_timeout = true, on_connect = true, on_4xx = false;
  bool honour_retry_after = true;
  // Longest Retry-After honoured; a longer ask waits this long (and the
  // journal says so), so an untrusted receiver cannot stall a run.
  std::int64_t retry_after_max_ms = 300000;
};

// Signatures added to each attempt. scheme: "none", "standard" (Standard
// Webhooks webhook-* headers), "svix" (svix-* headers), "x-signature"
// (hex HMAC-SHA256 of the body). Several secrets sign at once (rotation).
struct Signing {
  // Secrets with "none" mean the vendor's own scheme: the loader fills it in
  // when its Catalog names one, and leaves it to the engine otherwise.
  std::string scheme = "none";
  std::vector<std::string> secrets;
  // The clock of the signature timestamp: "wall" (the unix second the attempt
  // is sent, what a receiver checks against its own clock) or "virtual" (the
  // attempt's virtual due time: byte-identical headers on a rerun).
  std::string timestamp = "wall";
};

// Delivery settings for a stream; "events" overrides them per event type.
struct DeliverySettings {
  std::optional<std::int64_t> timeout_ms;          // vendor default when absent
  std::optional<std::int64_t> connect_timeout_ms;  // default 5000
  std::optional<RetryPolicy> retry;                // vendor default when absent
  std::optional<Signing> signing;                  // vendor default when absent
  std::string ordering = "timeline";               // or "concurrent", "strict" (see engine/timeline.hpp)
};

// Faults asked for, per stream and per event type (see faults/).
struct Delay {
  Distribution ms = Distribution::fixed(0);
  double p = 1;
};
struct Duplicate {
  double p = 0;
  int copies = 1;
  std::int64_t spacing_ms = 0;
  bool new_id = false;  // copies get a new delivery id
};
struct Reorder {
  double p = 0;
  std::int64_t window_ms = 0;
  std::vector<std::string> patterns;  // "end_before_start", "recording_before_end", "transcripts_out_of_sequence"
};
struct FaultPlan {
  std::optional<Delay> delay;
  std::optional<Duplicate> duplicate;
  std::optional<Reorder> reorder;
  double drop_p = 0;
  double stale_timestamp_p = 0;
  std::int64_t stale_by_ms = 600000;
  double bad_signature_p = 0;
  double drift_field_p = 0;  // unknown extra field in the body
  double drift_event_p = 0;  // an extra delivery with an unknown event type
  double lost_ack_p = 0;     // the receiver's 2xx is treated as lost: the vendor retries, same id
  bool any() const {
    return delay || duplicate || reorder || drop_p > 0 || stale_timestamp_p > 0 || bad_signature_p > 0 ||
           drift_field_p > 0 || drift_event_p > 0 || lost_ack_p > 0;
  }
};

// One check of a probe's answer at a JSON pointer. JSON forms: a plain value
// (equals), {"equals": v}, {"absent": true}, {"present": true}, {"min": n},
// {"max": n}, {"matches": "regex"}, {"length": n}, {"one_of": [...]}. Values
// may hold {call.*} placeholders (see scenario/placeholders.hpp).
struct ProbeMatcher {
  enum class Kind { Equals, Absent, Present, Min, Max, Matches, Length, OneOf };
  Kind kind = Kind::Equals;
  util::Json value;  // equals: the value; min, max, length: a number; matches: the pattern; one_of: an array
};

// After each call, a request for the receiver's state of that call, with
// checks of the answer. Every text (URL, headers, body) and expected value
// may hold {call.*} placeholders.
struct StateProbe {
  std::string url_template;  // "http://host/calls/{call.id}"
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;  // name, templated value
  util::Json body;                                           // null: none; a string as is; else sent as JSON
  std::map<std::string, ProbeMatcher> expect;                // JSON pointer -> check
  std::vector<int> expect_status;                            // empty: any 2xx
  std::int64_t after_ms = 0;                                 // virtual ms after the call's last delivery
  std::int64_t until_ms = 0;       // poll until the answer matches, at most this many wall ms (0: one request)
  std::int64_t interval_ms = 500;  // wall ms between polls
};

struct Stream {
  std::string name;
  std::string vendor;
  std::string target;          // "" = the built-in sink (or --target)
  std::string target_pointer;  // where target came from, for messages
  util::Json vendor_config = util::Json::object();
  std::string vendor_config_pointer;
  Calls calls;
  DeliverySettings delivery;
  // By event name, each already merged over `delivery`: look up the event,
  // fall back to `delivery`.
  std::map<std::string, DeliverySettings> event_delivery;
  FaultPlan faults;
  // By event name, each the stream's plan with the event's keys on top: use
  // the event's plan instead of `faults`, never both.
  std::map<std::string, FaultPlan> event_faults;
  std::map<std::string, std::map<std::string, util::Json>> overrides;  // event -> pointer -> value
  std::optional<StateProbe> probe;
};

// One hand-written step of a "script": exact event, exact time, exact order.
struct ScriptStep {
  std::int64_t at_ms = 0;
  std::string call;  // alias; steps with the same alias share one call
  std::string event;
  std::size_t stream = 0;
  std::map<std::string, util::Json> overrides;  // JSON pointer -> value
  int copies = 1;
  // The copies go out at once, none waiting for another's answer (a retry
  // sent while the first attempt is still unanswered); needs copies > 1.
  bool together = false;
  // The receiver's 2xx is treated as lost: the vendor retries (same id).
  bool lost_ack = false;
  // The delivery an earlier step of this alias and event sent, once more
  // here (same id and body): a duplicate after the call has moved on.
  bool again = false;
  // A raw step sends these bytes (an imported request) instead of an event
  // the vendor generates; `event` then only names it in reports.
  struct Raw {
    std::string method = "POST";
    std::string path;       // after the stream target's path, query included; "" = the target itself
    util::Headers headers;  // Content-Type among them; signatures are made per attempt
    std::string body;
    std::string id;  // the delivery's idempotency id (signatures' webhook-id), "" = derived
  };
  std::optional<Raw> raw;
};

// "expect": {"failed": 0, "p99_latency_ms": 200, ...}: name -> limit.
using Expectations = std::vector<std::pair<std::string, double>>;

// Which slice of the population one process plays: the calls whose index
// % count == index (per stream). Set by `run --shard`, never by the file.
struct Shard {
  std::uint64_t index = 0;
  std::uint64_t count = 1;
  bool whole() const { return count <= 1; }
};

// A finite speed's range: slower would stretch a second of virtual time
// past a quarter of an hour, faster plays years in seconds and never ends
// the way the schedule says; "max" is the way to go as fast as possible.
constexpr double k_min_speed = 1e-3;
constexpr double k_max_speed = 1e6;
// The speed as a scenario, a flag or a request names the range.
constexpr const char* k_speed_range_text = "a number from 0.001 to 1000000 or \"max\"";
// A run's wall-time limit (max_duration_s), 31 days at most.
constexpr double k_min_run_s = 1e-3;
constexpr double k_max_run_s = 31 * 24 * 3600;

struct Scenario {
  std::string source;  // file path, for messages
  std::string name;
  std::uint64_t seed = 1;
  std::int64_t epoch_ms = 1752666057000;  // 2025-07-16T11:40:57Z
  double speed = 0;                       // 0 = "max", else from k_min_speed to k_max_speed
  std::int64_t concurrency = 64;          // requests in flight at once
  double max_duration_s = 0;              // wall seconds the run may take; 0 = no limit
  std::vector<Stream> streams;
  std::vector<ScriptStep> script;
  Expectations expect;
  // The names in `expect` given "abort": true: the run stops as soon as one
  // of them is over its limit (only names whose ExpectationInfo::can_abort).
  std::vector<std::string> abort_on;
  Shard shard;
};

}  // namespace callhook::scenario
