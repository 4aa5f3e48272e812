#pragma once
// Readers for the parts of a scenario file. Each takes a Cursor at its part,
// reports every problem there and returns its best reading; the loader keeps
// the result only when the whole document had no problems.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/load.hpp"
#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"

namespace callhook::scenario::detail {

// What a stream's names are checked against. When the vendor is unknown,
// `known` is false and event and platform names go unchecked, so one typo in
// "vendor" gives one problem, not one per event.
struct VendorNames {
  std::string vendor;
  bool known = false;
  std::vector<std::string> events;
  std::vector<std::string> platforms;
  std::vector<std::string> facts;  // {call.vendor.NAME} names a probe may use
  // Scheme used when only a secret is given: nullopt when the catalog does
  // not say (the secret is kept with scheme "none" for the engine to
  // resolve), "none" or "" when the vendor has none of its own.
  std::optional<std::string> signing;
};

// The whole document: top-level keys, streams, script and expectations.
Scenario read_document(const util::Cursor& root, const std::string& source, const Catalog& catalog);

// The "expect" block: each limit a number, or {"limit": N, "abort": true};
// the names of the aborting ones go to `abort_on`.
Expectations read_expect(const util::Cursor& at, std::vector<std::string>& abort_on);

// Reports `name` when it is not in `known` ("unknown event \"x\" ... (did you
// mean ...)"); returns whether it is known.
bool check_name(const util::Cursor& at, const std::string& name, std::string_view what, std::string_view owner,
                const std::vector<std::string>& known);
// The same for an event of the stream's vendor (always true for an unknown vendor).
bool check_event(const util::Cursor& at, const std::string& event, const VendorNames& vendor);
// Whether `at` is a non-empty array; reports it when it is present and is not.
bool non_empty_array(const util::Cursor& at);
// Comma-separated quoted names, for messages.
std::string quoted_list(const std::vector<std::string>& names);

// A Distribution in any of its JSON forms; nullopt when absent or invalid.
std::optional<Distribution> read_distribution(const util::Cursor& at);
// The "calls" object of a stream.
// has_script: "count" may be 0 (the settings then only shape the script's calls).
Calls read_calls(const util::Cursor& at, const VendorNames& vendor, bool has_script);
// The "delivery" object of a stream, with its per-event settings.
DeliverySettings read_delivery(const util::Cursor& at, const VendorNames& vendor,
                               std::map<std::string, DeliverySettings>& per_event);
// The "faults" object of a stream, with its per-event plans.
FaultPlan read_faults(const util::Cursor& at, const VendorNames& vendor, std::map<std::string, FaultPlan>& per_event);
// Whether `text` is a JSON pointer to a member ("/data/status").
bool valid_pointer(const std::string& text);
// {"/json/pointer": value, ...}.
std::map<std::string, util::Json> read_pointer_map(const util::Cursor& at);
// The "probe" object of a stream; its placeholders are checked against the vendor's facts.
std::optional<StateProbe> read_probe(const util::Cursor& at, const VendorNames& vendor);

}  // namespace callhook::scenario::detail
