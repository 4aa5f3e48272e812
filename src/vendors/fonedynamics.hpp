#pragma once
// Fone Dynamics call tracking: Call.Initiate and Call.Complete as flat dotted
// parameters, in a GET query string or a POST form body.
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// The Fone Dynamics profile.
const VendorInfo& fonedynamics_info();

}  // namespace callhook::vendors
