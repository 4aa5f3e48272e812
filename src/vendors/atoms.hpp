#pragma once
// Smallest.ai Atoms: call start, call end and post-call analytics, in the
// documented draft shape ("document", the default) or in the envelope the
// platform sends today ("live").
#include "vendors/vendor.hpp"

namespace callhook::vendors {

// The Atoms profile.
const VendorInfo& atoms_info();

}  // namespace callhook::vendors
