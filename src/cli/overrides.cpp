#include "cli/overrides.hpp"

#include "cli/cli.hpp"

namespace callhook::cli {

SetFlag parse_set_flag(const std::string& text) {
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw UsageError("--set \"" + text + "\": expected [EVENT:]POINTER=VALUE, e.g. --set /data/userID=+15550100");
  std::string path = text.substr(0, eq);
  SetFlag flag;
  if (const auto colon = path.find(":/"); colon != std::string::npos) {
    flag.event = path.substr(0, colon);
    path = path.substr(colon + 1);
  }
  if (path.empty() || path.front() != '/') path = "/" + path;
  try {
    (void)util::Json::json_pointer(path);
  } catch (const std::exception&) {
    throw UsageError("--set \"" + text + "\": \"" + path + "\" is not a JSON pointer");
  }
  flag.pointer = path;
  const std::string value = text.substr(eq + 1);
  flag.value = util::Json::parse(value, nullptr, false);
  if (flag.value.is_discarded()) flag.value = value;
  return flag;
}

}  // namespace callhook::cli
