#include <algorithm>

#include "scenario/readers.hpp"

namespace callhook::scenario::detail {

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) out += (out.empty() ? "\"" : ", \"") + name + "\"";
  return out;
}

bool non_empty_array(const util::Cursor& at) {
  if (!at.is_array()) return false;
  if (at.size() > 0) return true;
  at.fail("expected a non-empty array, got []");
  return false;
}

bool check_name(const util::Cursor& at, const std::string& name, std::string_view what, std::string_view owner,
                const std::vector<std::string>& known) {
  if (std::find(known.begin(), known.end(), name) != known.end()) return true;
  std::string message = "unknown " + std::string(what) + " \"" + name + "\"";
  if (!owner.empty()) message += " for " + std::string(owner);
  if (const std::string guess = util::did_you_mean(name, known); !guess.empty())
    message += " (did you mean \"" + guess + "\"?)";
  else if (known.empty())
    message += " (there are none)";
  else
    message += " (known: " + quoted_list(known) + ")";
  at.fail(message);
  return false;
}

bool check_event(const util::Cursor& at, const std::string& event, const VendorNames& vendor) {
  if (!vendor.known) return true;
  return check_name(at, event, "event", "vendor \"" + vendor.vendor + "\"", vendor.events);
}

}  // namespace callhook::scenario::detail
