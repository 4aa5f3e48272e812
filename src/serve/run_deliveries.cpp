#include "serve/run_deliveries.hpp"

#include <map>
#include <type_traits>
#include <utility>
#include <vector>

#include "journal/reader.hpp"

namespace callhook::serve {
namespace {

using OJson = nlohmann::ordered_json;

struct Delivery {
  OJson head;  // delivery, call, event, copy
  OJson attempts = OJson::array();
  std::string outcome = "pending";
  std::string reason;
};

// Call and event are known at a delivery's first record: the others are
// never kept, so a filtered query of a long run holds only what it asks for.
bool wanted(const DeliveryFilter& filter, const std::string& call, const std::string& event) {
  return (filter.call.empty() || call == filter.call) && (filter.event.empty() || event == filter.event);
}

OJson attempt_json(const journal::AttemptEntry& a) {
  OJson out = {{"attempt", a.attempt}, {"status", a.status ? OJson(a.status) : OJson(nullptr)}};
  out["error"] = a.error.empty() ? OJson(nullptr) : OJson(a.error);
  out["verdict"] = a.verdict;
  out["latency_ms"] = static_cast<double>(a.wall_latency_us) / 1000.0;
  out["sent_at_ms"] = static_cast<double>(a.wall_offset_us) / 1000.0;
  out["response"] = a.response;
  if (!a.faults.empty()) out["faults"] = a.faults;
  return out;
}

}  // namespace

OJson list_deliveries(const std::string& journal_path, const DeliveryFilter& filter) {
  journal::JournalReader reader(journal_path);
  std::vector<Delivery> deliveries;
  std::map<std::pair<std::string, int>, std::size_t> index;  // (delivery key, copy) -> place
  // The delivery's place, or nullptr for one the filter leaves out.
  auto place = [&](const std::string& key, int copy, const std::string& call, const std::string& event) -> Delivery* {
    if (!wanted(filter, call, event)) return nullptr;
    auto [it, added] = index.try_emplace({key, copy}, deliveries.size());
    if (added) {
      Delivery d;
      d.head = {{"delivery", key}, {"call", call}, {"event", event}, {"copy", copy}};
      deliveries.push_back(std::move(d));
    }
    return &deliveries[it->second];
  };
  while (auto entry = reader.next()) {
    std::visit(
        [&](const auto& record) {
          using Record = std::decay_t<decltype(record)>;
          if constexpr (std::is_same_v<Record, journal::AttemptEntry>) {
            if (Delivery* d = place(record.delivery, record.copy, record.call, record.event))
              d->attempts.push_back(attempt_json(record));
          } else if constexpr (std::is_same_v<Record, journal::FinalEntry>) {
            if (Delivery* d = place(record.delivery, record.copy, record.call, record.event)) {
              d->outcome = record.result;
              d->reason = record.reason;
            }
          }
        },
        *entry);
  }
  OJson out = {{"count", 0}, {"deliveries", OJson::array()}};
  std::size_t count = 0;
  for (auto& d : deliveries) {
    if (!filter.outcome.empty() && d.outcome != filter.outcome) continue;
    if (count++ >= filter.limit) continue;
    OJson item = std::move(d.head);
    item["outcome"] = d.outcome;
    item["reason"] = d.reason.empty() ? OJson(nullptr) : OJson(d.reason);
    item["attempts"] = std::move(d.attempts);
    out["deliveries"].push_back(std::move(item));
  }
  out["count"] = count;
  return out;
}

}  // namespace callhook::serve
