// The binary starts itself again with glibc's heap on transparent huge pages
// (cli/huge_pages.hpp): seen from outside, in the environment of the process
// that sends the webhooks.
#include <catch2/catch.hpp>

#include <filesystem>
#include <mutex>
#include <sstream>

#include <httplib.h>

#include "cli/huge_pages.hpp"
#include "harness.hpp"

using callhook::testing::ProcessOptions;
using callhook::testing::read_text;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;

namespace {

// GLIBC_TUNABLES of the running process whose command line holds `token`
// ("(unset)" when it has none, "(no process)" when none was found). glibc
// 2.36 ends each tunable it parses with a NUL in place, so in
// /proc/PID/environ the list reads as entries of their own: they are joined
// again.
std::string tunables_of(const std::string& token) {
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string pid = entry.path().filename();
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    if (read_text(entry.path() / "cmdline").find(token) == std::string::npos) continue;
    std::istringstream environment(read_text(entry.path() / "environ"));
    std::string tunables = "(unset)";
    bool in_list = false;
    for (std::string variable; std::getline(environment, variable, '\0');) {
      if (variable.rfind("GLIBC_TUNABLES=", 0) == 0) {
        tunables = variable.substr(15);
        in_list = true;
      } else if (in_list && variable.rfind("glibc.", 0) == 0) {
        tunables += ":" + variable;
      } else {
        in_list = false;
      }
    }
    return tunables;
  }
  return "(no process)";
}

// Runs one call of the demo and reads GLIBC_TUNABLES of the process that
// sent its first webhook, as the receiver gets it.
std::string tunables_while_sending(const std::vector<std::pair<std::string, std::string>>& env) {
  TempDir dir;
  const std::string token = dir.path("journal.jsonl");  // unique to this run
  std::mutex mutex;
  std::string seen;
  Receiver receiver([&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard lock(mutex);
    if (seen.empty()) seen = tunables_of(token);
    res.status = 204;
  });
  ProcessOptions options;
  options.env = env;
  const auto result = run_callhook({"run", "scenarios/demo.json", "--speed", "max", "--count", "1", "--target",
                                    receiver.url() + "/hooks", "--journal", token, "--quiet"},
                                   options);
  INFO(result.err);
  REQUIRE(result.exit_code == 0);
  std::lock_guard lock(mutex);
  return seen;
}

}  // namespace

TEST_CASE("callhook runs with glibc's heap on huge pages unless told otherwise", "[integration]") {
  if (!callhook::cli::k_restarts_for_huge_pages) {
    // A sanitizer's allocator replaces glibc's: nothing is restarted.
    CHECK(tunables_while_sending({{"GLIBC_TUNABLES", "glibc.malloc.check=0"}}) == "glibc.malloc.check=0");
    return;
  }
  SECTION("added to the tunables already set") {
    CHECK(tunables_while_sending({{"GLIBC_TUNABLES", "glibc.malloc.check=0"}}) ==
          "glibc.malloc.check=0:glibc.malloc.hugetlb=1");
  }
  SECTION("a hugetlb the user set is kept") {
    CHECK(tunables_while_sending({{"GLIBC_TUNABLES", "glibc.malloc.hugetlb=0"}}) == "glibc.malloc.hugetlb=0");
  }
  SECTION("set when there were none") {
    CHECK(tunables_while_sending({{"GLIBC_TUNABLES", ""}}) == "glibc.malloc.hugetlb=1");
  }
}
