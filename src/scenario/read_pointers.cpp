#include "scenario/readers.hpp"

namespace callhook::scenario::detail {

bool valid_pointer(const std::string& text) {
  if (text.empty() || text.front() != '/') return false;
  try {
    util::Json::json_pointer pointer(text);
    return true;
  } catch (const util::Json::exception&) {
    return false;
  }
}

std::map<std::string, util::Json> read_pointer_map(const util::Cursor& at) {
  std::map<std::string, util::Json> values;
  if (!at.is_object()) return values;
  for (auto it = at.node()->begin(); it != at.node()->end(); ++it) {
    if (!valid_pointer(it.key())) {
      at[it.key()].fail("expected a JSON pointer such as \"/data/status\" as the key, got " +
                        util::Json(it.key()).dump());
      continue;
    }
    values[it.key()] = it.value();
  }
  return values;
}

}  // namespace callhook::scenario::detail
