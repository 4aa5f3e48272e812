// Every tests/data/invalid/<name>.expected holds the exact lines loading
// <name>.json prints; a .expected without its .json is the missing-file case.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "scenario/load.hpp"
#include "vendors/vendor.hpp"

namespace fs = std::filesystem;
using namespace callhook::scenario;

namespace {

const fs::path k_dir = fs::path(CALLHOOK_SOURCE_DIR) / "tests" / "data" / "invalid";

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> case_names() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(k_dir))
    if (entry.path().extension() == ".expected") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST_CASE("each invalid scenario gives exactly its expected messages", "[scenario][invalid]") {
  const auto names = case_names();
  REQUIRE(names.size() >= 20);
  for (const auto& name : names) {
    DYNAMIC_SECTION(name) {
      const fs::path file = k_dir / (name + ".json");
      const LoadResult result = load_scenario(file.string(), callhook::vendors::catalog());
      CHECK_FALSE(result.scenario.has_value());
      CHECK(result.source == file.string());
      // Messages name the file as the user gave it; here, by its file name.
      CHECK(result.problems.format(name + ".json") == read_text(k_dir / (name + ".expected")));
    }
  }
}

TEST_CASE("the special cases are in the table", "[scenario][invalid]") {
  // These cannot be ordinary files, so make sure they stay covered.
  CHECK(fs::is_directory(k_dir / "directory.json"));
  CHECK_FALSE(fs::exists(k_dir / "missing.json"));
  CHECK(fs::file_size(k_dir / "empty.json") == 0);
  CHECK(fs::exists(k_dir / "missing.expected"));
  CHECK(fs::exists(k_dir / "directory.expected"));
}
