#include "cli/huge_pages.hpp"

#include <sys/auxv.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace callhook::cli {
namespace {

constexpr const char* k_tunable = "glibc.malloc.hugetlb";

}  // namespace

void restart_with_huge_pages(char** argv) {
  if (!k_restarts_for_huge_pages || getauxval(AT_SECURE) != 0) return;
  const char* before = std::getenv("GLIBC_TUNABLES");
  if (before && std::strstr(before, k_tunable)) return;
  const std::string old_value = before ? before : "";
  const std::string value = (before && *before ? old_value + ":" : std::string()) + k_tunable + "=1";
  if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
  execv("/proc/self/exe", argv);
  // Not restarted (no /proc, say): go on with the environment as it was.
  if (before)
    setenv("GLIBC_TUNABLES", old_value.c_str(), 1);
  else
    unsetenv("GLIBC_TUNABLES");
}

}  // namespace callhook::cli
