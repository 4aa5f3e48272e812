#pragma once
// One webhook the vendor would send, as the vendor profile plans it.
#include <cstdint>
#include <string>
#include <vector>

#include "util/header.hpp"

namespace callhook::vendors {

struct Delivery {
  std::string event;  // the vendor's event name ("runtime.call.start", "Call.Complete")
  std::string url;    // full URL, query included for GET
  std::string method = "POST";
  std::string content_type = "application/json";
  std::string body;
  util::Headers headers;    // vendor headers; signatures are added per attempt
  std::int64_t due_ms = 0;  // virtual unix ms
  bool blocking = false;    // the session waits for this answer (handshake)
  std::string event_id;     // idempotency id, the same on every retry
  std::string call_id;      // the vendor's id for the call, for reports and --only
  // Where the event name sits, so faults can change it: a JSON pointer for
  // JSON bodies ("/type"), a parameter name for forms ("Event").
  std::string event_field;
  // Filled in by faults and the engine.
  std::uint32_t seq = 0;            // planned order within the session (copies share it)
  int copy = 0;                     // 0 = original
  std::int64_t planned_ms = 0;      // due before faults moved it
  std::vector<std::string> faults;  // faults applied, for journal and report
  bool dropped = false;             // never sent, by a drop fault
  bool stale_timestamp = false;
  bool bad_signature = false;
  bool lost_ack = false;  // the first 2xx answer is treated as lost (a lost_ack fault), once
  // Scripted copies sent at once (a step's "together") share this nonzero
  // number: none waits for another's answer.
  std::uint32_t together = 0;
};

}  // namespace callhook::vendors
