#include "scenario/load.hpp"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/readers.hpp"
#include "util/json_limits.hpp"

namespace callhook::scenario {

namespace {

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

LoadResult parse_scenario(std::string_view text, const std::string& source, const Catalog& catalog) {
  LoadResult result;
  result.source = source;
  if (blank(text)) {
    result.problems.add("", "the file is empty");
    return result;
  }
  auto [document, failure] = util::parse_json(text, util::k_scenario_json);
  if (failure) {
    result.problems.add(failure->pointer, failure->message());
    return result;
  }
  Scenario scenario = detail::read_document(util::Cursor(&document, "", result.problems), source, catalog);
  if (result.problems.empty()) result.scenario = std::move(scenario);
  return result;
}

LoadResult load_scenario(const std::string& path, const Catalog& catalog) {
  LoadResult result;
  result.source = path;
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (status.type() == std::filesystem::file_type::not_found) {
    result.problems.add_unreadable("no such file");
    return result;
  }
  if (status.type() == std::filesystem::file_type::directory) {
    result.problems.add_unreadable("it is a directory, not a scenario file");
    return result;
  }
  // A file over the limit is refused before it is read into memory.
  if (const auto size = std::filesystem::file_size(path, error); !error) {
    if (const auto failure = util::size_failure(size, util::k_scenario_json)) {
      result.problems.add("", failure->message());
      return result;
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    result.problems.add_unreadable(std::strerror(errno));
    return result;
  }
  return parse_scenario(text.str(), path, catalog);
}

}  // namespace callhook::scenario
