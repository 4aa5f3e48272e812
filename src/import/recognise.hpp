#pragma once
// Which vendor captured requests come from, and which call and event each
// one is, found the way the sink names them (VendorInfo's webhook keys).
#include <string>
#include <string_view>
#include <vector>

#include "import/captured.hpp"
#include "vendors/vendor.hpp"

namespace callhook::import {

// The alias of requests whose call cannot be found.
inline constexpr std::string_view k_unrecognised_call = "unrecognised";
// The event of a raw step whose body names none.
inline constexpr std::string_view k_unknown_event = "request";

// `name` when given (throws ImportError with did-you-mean for an unknown
// one), else the vendor whose events name most of the captures (the first
// registered on a tie or when none does).
const vendors::VendorInfo& choose_vendor(const std::vector<Captured>& captured, std::string_view name);

struct Recognised {
  std::string event;   // the vendor's event, else the capture's own, else k_unknown_event
  std::string call;    // the vendor's call id, else the capture's, else k_unrecognised_call
  bool known = false;  // the event is one of the vendor's
};

Recognised recognise(const Captured& captured, const vendors::VendorInfo& vendor);

// A header's value (names compare case-insensitively), "" when absent.
std::string header_value(const util::Headers& headers, std::string_view name);

}  // namespace callhook::import
