// The facts each profile declares about itself agree with its own events,
// so faults, the sink and the loader, which read them, can rely on them.
#include <catch2/catch.hpp>

#include <algorithm>

#include "vendors/vendor.hpp"

using namespace callhook;

namespace {

bool has(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

const vendors::EventRole* role(const vendors::VendorInfo& v, const std::string& event) {
  for (const auto& r : v.roles)
    if (r.event == event) return &r;
  return nullptr;
}

}  // namespace

TEST_CASE("each vendor's roles, event names and call ids name its own events") {
  for (const auto& v : vendors::registry()) {
    INFO(v.name);
    CHECK(vendors::find_vendor(v.name) == &v);
    CHECK_FALSE(v.events.empty());
    CHECK(v.configure != nullptr);
    for (const auto& r : v.roles) {
      INFO(r.event);
      CHECK(has(v.events, r.event));
      if (r.role == vendors::Role::End) {
        // An end closes a start of the same vendor.
        const auto* start = role(v, r.partner);
        REQUIRE(start != nullptr);
        CHECK(start->role == vendors::Role::Start);
      } else if (r.role == vendors::Role::Recording) {
        const auto* end = role(v, r.partner);
        REQUIRE(end != nullptr);
        CHECK(end->role == vendors::Role::End);
      } else {
        CHECK(r.partner.empty());
      }
    }
    const auto& w = v.webhook;
    CHECK(!(w.event_json_keys.empty() && w.event_params.empty() && w.reason_key.empty() && w.param_events.empty()));
    for (const auto& [param, event] : w.param_events) {
      INFO(param);
      CHECK(has(v.events, event));
    }
    // An event with its own default retry is one of the vendor's.
    for (const auto& [event, retry] : v.defaults.event_retry) CHECK(has(v.events, event));
    CHECK(!(w.call_id_pointers.empty() && w.call_id_params.empty()));
    for (const auto& [reason, event] : w.reason_events) {
      INFO(reason);
      CHECK(has(v.events, event));
    }
    for (const auto& pointer : w.call_id_pointers) CHECK(pointer.starts_with("/"));
  }
}

TEST_CASE("the loader's catalog is the registry's") {
  const scenario::Catalog catalog = vendors::catalog();
  CHECK(catalog.events.size() == vendors::registry().size());
  for (const auto& v : vendors::registry()) {
    INFO(v.name);
    CHECK(catalog.events.at(v.name) == v.events);
    CHECK(catalog.platforms.at(v.name) == v.platforms);
    CHECK(catalog.signing.at(v.name) == v.defaults.signing);
  }
}
