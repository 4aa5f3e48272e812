#include "scenario/load.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/readers.hpp"

namespace callhook::scenario {

namespace {

// nlohmann's message reads "[json.exception.parse_error.101] parse error at
// line 3, column 5: syntax error ..."; keep the part from "at line".
std::string parse_error_message(const util::Json::parse_error& error) {
  const std::string what = error.what();
  const std::size_t at = what.find("at line");
  return "invalid JSON " + (at == std::string::npos ? ": " + what : what.substr(at));
}

bool blank(std::string_view text) { return text.find_first_not_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

LoadResult parse_scenario(std::string_view text, const std::string& source, const Catalog& catalog) {
  LoadResult result;
  result.source = source;
  if (blank(text)) {
    result.problems.add("", "the file is empty");
    return result;
  }
  util::Json document;
  try {
    document = util::Json::parse(text, nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const util::Json::parse_error& error) {
    result.problems.add("", parse_error_message(error));
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
    result.problems.add("", "no such file");
    return result;
  }
  if (status.type() == std::filesystem::file_type::directory) {
    result.problems.add("", "is a directory, not a scenario file");
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (in) text << in.rdbuf();
  if (!in || in.bad()) {
    result.problems.add("", "cannot read the file");
    return result;
  }
  return parse_scenario(text.str(), path, catalog);
}

}  // namespace callhook::scenario
