#pragma once
// One realistic webhook of a synthetic call, exactly as a run would send it:
// what `callhook sample` prints and what `callhook serve` answers for
// /vendors/{vendor}/events/{event}/sample and sends for POST /trigger.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "util/header.hpp"
#include "util/json_cursor.hpp"
#include "vendors/delivery.hpp"

namespace callhook::run {

struct SampleRequest {
  std::string vendor;
  std::string event;
  std::int64_t seed = 1;  // a negative one is a problem at /seed
  std::string platform;                // calls.platform, "" = the vendor's default
  std::string direction = "inbound";
  util::Json vendor_config = util::Json::object();
  util::Json delivery = nullptr;       // the stream's "delivery" object (signing, ...), null = defaults
  std::string target = "http://127.0.0.1:8080/webhooks";
  std::map<std::string, util::Json> overrides;  // JSON pointer -> value
};

struct Sample {
  vendors::Delivery delivery;
  // The headers an attempt sends: Content-Type, User-Agent, the vendor's,
  // then the signature when the stream signs.
  util::Headers headers;
};

// The first `event` delivery of a default call (or of one transferred to an
// agent, for events only those send). Returns nullopt with problems (JSON
// pointers into the one-stream scenario built from the request) when the
// request is not valid; throws BadInput (run_session.hpp) when the vendor has
// no such event or a default call never sends it.
std::optional<Sample> sample_delivery(const SampleRequest& request, util::Problems& problems);

}  // namespace callhook::run
