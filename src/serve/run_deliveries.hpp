#pragma once
// GET /runs/{id}/deliveries: what callhook sent in a run, read back from its
// journal, one entry per delivery with every attempt and the answer to it,
// filtered the way a test asks "did the receiver get X" (WireMock's find
// and count, for what callhook sent).
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

namespace callhook::serve {

struct DeliveryFilter {
  std::string call;     // "" = any
  std::string event;    // "" = any
  std::string outcome;  // "" = any; "delivered", "failed", "dropped", "cancelled", "rejected" or "pending"
  std::size_t limit = 1000;
};

// {"count": N (every match), "deliveries": [the first `limit` matches, in
// the journal's order of first attempt]}. A delivery with no final record
// yet (the run is still running) is "pending". Throws journal::JournalError
// for a journal that cannot be read.
nlohmann::ordered_json list_deliveries(const std::string& journal_path, const DeliveryFilter& filter);

}  // namespace callhook::serve
