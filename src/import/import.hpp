#pragma once
// `callhook import`: captured traffic (sink records, HAR, Svix attempts,
// JSON lines, journals) as a scenario that replays it.
#include <optional>
#include <string>
#include <vector>

#include "import/readers.hpp"
#include "import/script_writer.hpp"

namespace callhook::import {

struct ImportOptions {
  std::vector<std::string> files;
  std::string vendor;  // "" = guessed from the events
  std::string target = "http://127.0.0.1:3000";
  std::string name;  // "" = "imported"
  std::optional<FieldMap> map;
  bool redact = false;
  std::string redact_key = "callhook-redact";
};

struct ImportResult {
  util::OrderedJson scenario;
  std::string vendor;
  WriteSummary summary;
  std::vector<std::string> formats;  // per file: "HAR", "sink record", ...
};

// Reads every file (each in its own format), orders the requests by time
// and writes the scenario. Throws ImportError naming the file and the line
// or JSON pointer of bad input.
ImportResult import_captures(const ImportOptions& options);

}  // namespace callhook::import
