#pragma once
// Voiceflow session lifecycle webhooks (runtime.call.* and runtime.session.*).
#include "vendors/vendor.hpp"

namespace callhook::vendors {

const VendorInfo& voiceflow_info();

}  // namespace callhook::vendors
