#pragma once
// Exotel call flow callbacks: the Passthru applet's GET request and the
// StatusCallback form POST of a call placed through the connect API.
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// The Exotel call callbacks profile.
const VendorInfo& exotel_info();

}  // namespace callhook::vendors
