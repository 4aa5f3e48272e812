#pragma once
// Pieces the vendor profiles share: ordered JSON bodies, vendor_config
// readers that report at JSON pointers, handshake-answer helpers, turn texts
// and recording URLs. Nothing here knows a vendor's name.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "population/call.hpp"
#include "util/json_cursor.hpp"
#include "util/rng.hpp"
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// A configured profile: opens sessions of type SessionType over one shared,
// immutable Config.
template <class SessionType, class Config>
class SessionFactory final : public Vendor {
 public:
  explicit SessionFactory(std::shared_ptr<const Config> config) : m_config(std::move(config)) {}
  std::unique_ptr<Session> open(const population::Call& call) const override {
    return std::make_unique<SessionType>(m_config, call);
  }
  // A profile whose configuration can switch event types off says so with
  // a static SessionType::sends_event(config, event).
  bool sends(std::string_view event) const override {
    if constexpr (requires(const Config& c, std::string_view e) { SessionType::sends_event(c, e); })
      return SessionType::sends_event(*m_config, event);
    else
      return true;
  }

 private:
  std::shared_ptr<const Config> m_config;
};

// Bodies keep the key order the vendor documents show.
using OJson = nlohmann::ordered_json;

// The same value with its keys in the order they are in now (a parsed
// scenario's objects are sorted by key).
OJson to_ordered(const util::Json& value);
// Compact JSON text; invalid UTF-8 in turn texts is replaced, never thrown.
std::string dump(const OJson& body);

// A delivery with the fields every profile fills the same way.
Delivery make_delivery(std::string event, std::string url, std::string method, std::string content_type,
                       std::string body, std::int64_t due_ms, std::string call_id, std::string event_field);

// "name=value&..." with each part form-encoded, in the given order: a form
// body or a query string.
std::string form_text(const std::vector<std::pair<std::string, std::string>>& params);

// Sorts a batch by due time, keeping planning order for equal times.
void sort_by_due(std::vector<Delivery>& batch);

// True for an absolute http:// or https:// URL.
bool is_http_url(std::string_view text);
// True for an E.164 number: '+', a non-zero digit, 7 to 15 digits in all.
bool is_e164(const std::string& text);
// Reads an http(s) URL; reports "expected an http(s) URL" otherwise.
std::optional<std::string> read_url(const util::Cursor& cursor);
// Reads a probability from 0 to 1 with a default.
double read_probability(const util::Cursor& cursor, double fallback);
// Reads an object of string values (a flat string map).
std::map<std::string, std::string> read_string_map(const util::Cursor& cursor);
// Reads {"value": weight, ...} where every value is one of `allowed`;
// returns `fallback` when absent or wrong.
std::vector<std::pair<std::string, double>> read_weights(const util::Cursor& cursor,
                                                         const std::vector<std::string>& allowed,
                                                         std::vector<std::pair<std::string, double>> fallback);
// Picks one value of a weight list.
std::string pick(util::Rng& rng, const std::vector<std::pair<std::string, double>>& weights);

// The default retry policy of a vendor: max_attempts tries, waits in between.
scenario::RetryPolicy retry_policy(int max_attempts, std::vector<std::int64_t> backoff_ms);

// Parses a handshake answer body within the limits on outside JSON; nullopt
// with a problem when it is empty ("expected <expected>"), not JSON, too
// deep or too large.
std::optional<util::Json> parse_answer(const std::string& body, util::Problems& problems, std::string_view expected);
// Why a blocking delivery was not delivered: "timeout", "HTTP 503", ...
std::string not_delivered_reason(const Answer& answer);
// "pointer: message; pointer: message" (the root pointer is left out).
std::string join_problems(const util::Problems& problems);

// The first part of a turn's words, as a live transcript shows it mid-turn.
std::string leading_words(const std::string& text, double fraction);
// How long a voice takes to say `text`, in ms.
std::int64_t speaking_ms(const std::string& text);

// "<base>/<name>-<bytes>.<ext>": callhook's recording server serves exactly
// <bytes> bytes of playable audio at this URL.
std::string recording_url(const std::string& base, const std::string& name, std::int64_t bytes, const std::string& ext);
// Bytes a second of audio takes as callhook's recording server encodes it
// (8 kHz 16-bit mono PCM for "wav", Opus at about 16 kbit/s for "ogg"), so a
// file sized from a call's duration also plays about that long.
std::int64_t default_bytes_per_second(const std::string& format);
// A plausible file size for `duration_ms` of audio in `format` ("wav" or
// "ogg"), with a little seeded variation, within the sizes the recording
// server can make.
std::int64_t recording_bytes(util::Rng& rng, std::int64_t duration_ms, const std::string& format,
                             std::int64_t bytes_per_second);

// Rounded whole seconds of a duration in ms (half up).
std::int64_t whole_seconds(std::int64_t ms);
// Uppercase copy of an ASCII string.
std::string upper(std::string text);

}  // namespace callhook::vendors
