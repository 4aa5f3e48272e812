#pragma once
// `callhook replay`: the requests of a recorded run, sent again exactly
// (method, URL, headers and body as recorded), each call's in its recorded
// order, with the recorded relative timing.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "delivery/transport.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"

namespace callhook::run {

struct ReplayOptions {
  std::string journal;              // the journal file
  std::optional<util::Url> target;  // replaces each URL's scheme, host and port
  double speed = 1;                 // timing divisor; <= 0: as fast as each call's order allows
  std::string only;                 // one call's requests; "" for every call
  // One delivery (its key, "0.12.3"): only its last attempt's request is
  // sent again; "" for every delivery.
  std::string delivery;
  std::vector<std::string> resign_secrets;  // sign again at send time with these, when any
};

struct ReplayResult {
  std::int64_t sent = 0;
  std::int64_t ok = 0;      // answered 2xx
  std::int64_t other = 0;   // answered another status
  std::int64_t errors = 0;  // no answer (connect, timeout, ...)
  // With `only`: up to 1,000 distinct call ids of the journal, for naming
  // the calls it does have when `only` matched none.
  std::vector<std::string> calls_seen;
  // With `delivery`: the answer to its request (when it was sent), and up
  // to 1,000 distinct delivery keys of the journal for naming the ones it
  // has when the key matched none.
  std::optional<delivery::HttpResult> answer;
  std::vector<std::string> deliveries_seen;
  bool seen_capped = false;  // the journal has more calls (or deliveries) than those seen
  // The journal ended in a line cut short (a run killed mid-write), at this line.
  std::optional<std::size_t> cut_line;
};

// Sends the journal's attempts again through `transport` and waits for
// every answer. Each request leaves at start + recorded send offset / speed,
// but never before the call's previous request is answered, so a call's
// requests arrive in their recorded order at any speed and any number of
// connections; different calls go in parallel. With `delivery`, the
// journal is read to its end and only that delivery's last attempt is sent,
// at once. Throws journal::JournalError
// for a journal that cannot be read, BadInput for a recorded URL that is
// not valid.
ReplayResult replay(const ReplayOptions& options, delivery::Transport& transport, const util::Clock& clock);

}  // namespace callhook::run
