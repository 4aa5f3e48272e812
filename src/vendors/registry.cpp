#include "vendors/atoms.hpp"
#include "vendors/exotel.hpp"
#include "vendors/fonedynamics.hpp"
#include "vendors/voicebot.hpp"
#include "vendors/voiceflow.hpp"
#include "vendors/voicekit.hpp"

namespace callhook::vendors {

const std::vector<VendorInfo>& registry() {
  static const std::vector<VendorInfo> all = {voiceflow_info(), voicebot_info(),     exotel_info(),
                                              atoms_info(),     fonedynamics_info(), voicekit_info()};
  return all;
}

const VendorInfo* find_vendor(std::string_view name) {
  for (const auto& v : registry())
    if (v.name == name) return &v;
  return nullptr;
}

scenario::Catalog catalog() {
  scenario::Catalog catalog;
  for (const auto& v : registry()) {
    catalog.events[v.name] = v.events;
    catalog.platforms[v.name] = v.platforms;
    catalog.signing[v.name] = v.defaults.signing;
    catalog.facts[v.name] = v.facts;
  }
  return catalog;
}

}  // namespace callhook::vendors
