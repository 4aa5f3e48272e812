#include "import/recognise.hpp"

#include <algorithm>

#include "sink/event_name.hpp"
#include "util/did_you_mean.hpp"
#include "util/text.hpp"

namespace callhook::import {
namespace {

std::string query_of(const std::string& path) {
  const auto question = path.find('?');
  return question == std::string::npos ? std::string() : path.substr(question + 1);
}

bool is_event_of(const vendors::VendorInfo& vendor, const std::string& event) {
  return std::find(vendor.events.begin(), vendor.events.end(), event) != vendor.events.end();
}

std::string event_of(const Captured& c) {
  return sink::event_name(header_value(c.headers, "Content-Type"), c.body, query_of(c.path));
}

}  // namespace

std::string header_value(const util::Headers& headers, std::string_view name) {
  for (const auto& h : headers)
    if (util::iequals(h.name, name)) return h.value;
  return "";
}

const vendors::VendorInfo& choose_vendor(const std::vector<Captured>& captured, std::string_view name) {
  const auto& all = vendors::registry();
  if (!name.empty()) {
    if (const auto* found = vendors::find_vendor(name)) return *found;
    std::vector<std::string> names;
    for (const auto& v : all) names.push_back(v.name);
    const std::string guess = util::did_you_mean(name, names);
    throw ImportError("--vendor: unknown vendor \"" + std::string(name) + "\"" +
                      (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
  }
  std::vector<std::string> events;
  for (const Captured& c : captured) events.push_back(c.event.empty() ? event_of(c) : c.event);
  const vendors::VendorInfo* best = &all.front();
  std::size_t best_count = 0;
  for (const auto& v : all) {
    const auto count = static_cast<std::size_t>(
        std::count_if(events.begin(), events.end(), [&v](const std::string& e) { return is_event_of(v, e); }));
    if (count > best_count) {
      best = &v;
      best_count = count;
    }
  }
  return *best;
}

Recognised recognise(const Captured& c, const vendors::VendorInfo& vendor) {
  Recognised out;
  const std::string content_type = header_value(c.headers, "Content-Type");
  out.event = event_of(c);
  if (out.event.empty()) out.event = c.event;
  out.known = is_event_of(vendor, out.event);
  if (out.event.empty()) out.event = k_unknown_event;
  out.call = sink::call_id(content_type, c.body, query_of(c.path));
  if (out.call.empty()) out.call = c.call;
  if (out.call.empty()) out.call = k_unrecognised_call;
  return out;
}

}  // namespace callhook::import
