#include "cli/overrides.hpp"

#include "cli/cli.hpp"
#include "util/json_limits.hpp"

namespace callhook::cli {

std::string flag_problem(const util::JsonFailure& failure) {
  std::string out = failure.message(/*one_line=*/true);
  if (!failure.pointer.empty()) out += " (at " + failure.pointer + ")";
  return out;
}

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
  auto parsed = util::parse_json(value, util::k_flag_json);
  if (parsed.ok()) {
    flag.value = std::move(parsed.value);
  } else if (parsed.failure->kind == util::JsonFailure::Kind::Syntax) {
    flag.value = value;  // not JSON: the text itself
  } else {
    throw UsageError("--set " + path + ": the value is " + flag_problem(*parsed.failure));
  }
  return flag;
}

}  // namespace callhook::cli
