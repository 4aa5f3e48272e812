#pragma once
// docs/vendors.md, compiled in (see cmake/embed_vendors_doc.cpp.in), and the
// vendor_config table of one vendor read from it.
#include <string>
#include <string_view>
#include <vector>

namespace callhook::cli {

std::string_view vendors_doc();

struct ConfigKey {
  std::string key, type, default_value, meaning;  // backticks removed
};

// The rows of the "### vendor_config" table under "## ... (`vendor`)".
std::vector<ConfigKey> vendor_config_keys(std::string_view doc, std::string_view vendor);

}  // namespace callhook::cli
