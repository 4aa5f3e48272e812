#include "cli/huge_pages.hpp"

#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "util/clock.hpp"

namespace callhook::cli {
namespace {

constexpr const char* k_tunable = "glibc.malloc.hugetlb";
// Carries the first start's time across the restart; removed on arrival, so
// no process this one starts inherits it.
constexpr const char* k_started_variable = "CALLHOOK_FIRST_START_US";

bool sends_or_receives_many(int argc, char** argv) {
  if (argc < 2) return false;
  const std::string_view command = argv[1];
  return command == "run" || command == "replay" || command == "explore" || command == "serve" || command == "sink";
}

}  // namespace

void restart_with_huge_pages(int argc, char** argv) {
  if (!k_restarts_for_huge_pages || !sends_or_receives_many(argc, argv) || getauxval(AT_SECURE) != 0) return;
  const char* before = std::getenv("GLIBC_TUNABLES");
  if (before && std::strstr(before, k_tunable)) return;
  const std::string old_value = before ? before : "";
  const std::string value = (before && *before ? old_value + ":" : std::string()) + k_tunable + "=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  setenv(k_started_variable, std::to_string(util::SystemClock().now_us()).c_str(), 1);
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc, say): go on with the environment as it was.
  if (before)
    setenv("GLIBC_TUNABLES", old_value.c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
  unsetenv(k_started_variable);
}

std::int64_t first_start_us() {
  std::int64_t started = util::SystemClock().now_us();
  if (const char* text = std::getenv(k_started_variable)) {
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    if (end != text && *end == '\0' && value > 0 && value <= started) started = value;
    unsetenv(k_started_variable);
  }
  return started;
}

}  // namespace callhook::cli
