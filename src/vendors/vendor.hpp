#pragma once
// A vendor profile turns a Call's lifecycle into the deliveries that vendor
// really sends. Profiles never touch sockets: handshakes are modelled as a
// Session that returns its deliveries in batches, each batch ending at most
// with one blocking delivery whose answer the engine hands back to resume().
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "population/call.hpp"
#include "scenario/load.hpp"
#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"
#include "vendors/delivery.hpp"

namespace callhook::vendors {

// What the receiver answered to a blocking delivery.
struct Answer {
  bool delivered = false;  // a 2xx within the vendor's timeout, after retries
  int status = 0;          // last HTTP status, 0 when none
  std::string body;
  std::string error;  // transport error or "timeout", "" otherwise
};

// Something the receiver did that the real vendor would reject or treat
// specially (a malformed handshake answer, say). Listed in the report.
struct Finding {
  std::string call_id;
  std::string event;
  std::string message;
};

// What a session knows of its call beyond population::Call: the facts a
// probe's {call.*} placeholders name that only the vendor decides.
struct SessionFacts {
  std::string call_id;                       // the id the receiver sees for the call
  std::string session_id;                    // "" when the vendor has none
  std::string end_reason;                    // "" when the vendor reports none
  std::optional<bool> transferred;           // when the vendor decides it (else the caller's wish for an agent)
  std::map<std::string, util::Json> vendor;  // {call.vendor.NAME}: the names of VendorInfo::facts
};

class Session {
 public:
  virtual ~Session() = default;
  // The first batch, in due order; only the last may be blocking.
  virtual std::vector<Delivery> start() = 0;
  // The next batch once `blocking` has ended (delivered or not).
  virtual std::vector<Delivery> resume(const Delivery& blocking, const Answer& answer,
                                       std::vector<Finding>& findings) = 0;
  // For a fault that sends `event` (an end) ahead of the handshake waiting
  // to be answered: that delivery as it would be sent without the answer,
  // which later batches then leave out. nullopt when the profile cannot.
  virtual std::optional<Delivery> send_ahead(std::string_view event) {
    (void)event;
    return std::nullopt;
  }
  // The call's facts as this session plays it (valid once start() ran).
  virtual SessionFacts facts() const { return {}; }
};

// A profile configured for one stream.
class Vendor {
 public:
  virtual ~Vendor() = default;
  virtual std::unique_ptr<Session> open(const population::Call& call) const = 0;
  // Whether sessions send `event` at all under this configuration (a
  // profile may let the scenario switch event types off).
  virtual bool sends(std::string_view event) const {
    (void)event;
    return true;
  }
};

struct VendorDefaults {
  std::int64_t timeout_ms = 10000;
  scenario::RetryPolicy retry;  // max_attempts 1 = no retries
  // Events whose default retry policy is not `retry` (a stream's own
  // "retry" still covers every event).
  std::vector<std::pair<std::string, scenario::RetryPolicy>> event_retry;
  std::string signing = "none";  // default scheme when a secret is given
};

// What a profile needs to know about the run it is part of.
struct StreamContext {
  std::string target;          // the stream's webhook URL (after --target)
  std::string recordings_url;  // base of callhook's recording server, e.g.
                               // "http://127.0.0.1:40123/recordings"; a file
                               // "<name>-<bytes>.<ogg|wav>" under it is served
                               // as playable audio of exactly <bytes> bytes
  std::uint64_t seed = 0;      // the scenario seed
};

// What part an event plays in a session's story, for the named reorder
// patterns of faults/ ("end_before_start" needs to know which event is the end).
enum class Role { Other, Start, End, Recording, Transcript };

struct EventRole {
  std::string event;
  Role role = Role::Other;
  std::string partner;  // for an End, the Start it closes; for a Recording, the End it follows
};

// Where a receiver finds which event a webhook is and which call it belongs
// to, as the vendor writes them (the built-in sink reads these).
struct WebhookKeys {
  std::vector<std::string> event_json_keys;  // JSON body keys naming the event ("type")
  std::vector<std::string> event_params;     // form body or query parameters naming the event ("Event")
  // A JSON key whose value stands for the event (VoiceBot's "trigger_reason"),
  // with the event each value means; a value not listed is its own event.
  std::string reason_key;
  std::vector<std::pair<std::string, std::string>> reason_events;
  // For a vendor whose requests carry no event name: a form body or query
  // parameter only one event has, with that event (Exotel's "DateUpdated").
  std::vector<std::pair<std::string, std::string>> param_events;
  std::vector<std::string> call_id_pointers;  // JSON pointers of the vendor's call id, first found wins
  std::vector<std::string> call_id_params;    // form body or query parameters of the call id
};

struct VendorInfo {
  std::string name;   // "voiceflow"
  std::string title;  // "Voiceflow session lifecycle webhooks"
  std::vector<std::string> events;
  std::string events_note;  // which events a vendor_config setting decides, "" when none
  // Events a default call does not send, each with the vendor_config (a JSON
  // object's text) that makes it send them; `callhook sample` names it.
  std::vector<std::pair<std::string, std::string>> event_configs;
  std::vector<EventRole> roles;  // events with a part in the story; the rest are Other (or
                                 // Transcript when the name mentions "transcript")
  WebhookKeys webhook;
  std::vector<std::string> platforms;  // accepted calls.platform values, first = default
  std::vector<std::string> facts;      // SessionFacts::vendor names, for {call.vendor.NAME}
  bool reads_turns = true;             // sessions read population::Call::turns (false: calls come without)
  std::string transport;               // "POST JSON", "GET query or POST form"
  VendorDefaults defaults;
  // Reads the stream's vendor_config (problems reported at its pointers).
  // Returns nullptr when there were problems.
  std::unique_ptr<Vendor> (*configure)(const util::Cursor& config, const StreamContext& context,
                                       util::Problems& problems);
};

// Every vendor, in a fixed order (no self-registration).
const std::vector<VendorInfo>& registry();
const VendorInfo* find_vendor(std::string_view name);
// The registry's events, platforms and signing schemes, for the scenario loader.
scenario::Catalog catalog();

}  // namespace callhook::vendors
