#pragma once
// Reading a scenario file: JSON with // and /* */ comments, validated in full
// before anything runs. Every problem is collected with its JSON pointer.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/json_cursor.hpp"

namespace callhook::scenario {

// What the loader may check names against (built from the vendor registry).
struct Catalog {
  std::map<std::string, std::vector<std::string>> events;     // vendor -> event names
  std::map<std::string, std::vector<std::string>> platforms;  // vendor -> platform names
  std::map<std::string, std::string> signing;                 // vendor -> scheme used when only a secret is given
  std::map<std::string, std::vector<std::string>> facts;      // vendor -> its {call.vendor.NAME} probe facts
};

struct LoadResult {
  std::optional<Scenario> scenario;  // set only when there are no problems
  util::Problems problems;
  std::string source;  // the path, for messages
};

// Reads and validates a file. A missing file, a directory, an empty file and
// invalid JSON are problems too (pointer "" and a line:column where known).
LoadResult load_scenario(const std::string& path, const Catalog& catalog);
// The same from text, for tests and for stdin.
LoadResult parse_scenario(std::string_view text, const std::string& source, const Catalog& catalog);
// An "expect" block alone (serve's verify-after-the-run), checked as in a
// scenario; problems are added at the cursor's pointers. "abort" is accepted
// and has nothing to stop.
Expectations read_expectations(const util::Cursor& at);

}  // namespace callhook::scenario
