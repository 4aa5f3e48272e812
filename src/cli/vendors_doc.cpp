#include "cli/vendors_doc.hpp"

namespace callhook::cli {
namespace {

std::string without_backticks(std::string_view text) {
  std::string out;
  for (const char c : text)
    if (c != '`') out += c;
  const auto first = out.find_first_not_of(' ');
  const auto last = out.find_last_not_of(' ');
  return first == std::string::npos ? "" : out.substr(first, last - first + 1);
}

// "| a | b | c |" -> {"a", "b", "c"}; a "|" inside backticks is text.
std::vector<std::string> cells(std::string_view line) {
  std::vector<std::string> out;
  std::string cell;
  bool code = false;
  for (std::size_t i = 1; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '`') code = !code;
    if (c == '|' && !code) {
      out.push_back(without_backticks(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  return out;
}

}  // namespace

std::vector<ConfigKey> vendor_config_keys(std::string_view doc, std::string_view vendor) {
  std::vector<ConfigKey> keys;
  const std::string heading = "(`" + std::string(vendor) + "`)\n";
  auto at = doc.find(heading);
  if (at == std::string_view::npos) return keys;
  const auto next_vendor = doc.find("\n## ", at);
  at = doc.find("### vendor_config", at);
  if (at == std::string_view::npos || at > next_vendor) return keys;
  at = doc.find("\n|", at);
  std::size_t row = 0;
  while (at != std::string_view::npos && at + 1 < doc.size() && doc[at + 1] == '|') {
    const auto end = doc.find('\n', at + 1);
    const auto line = doc.substr(at + 1, end == std::string_view::npos ? std::string_view::npos : end - at - 1);
    if (row++ >= 2) {  // the header and the |---| line
      const auto c = cells(line);
      if (c.size() >= 4) keys.push_back({c[0], c[1], c[2], c[3]});
    }
    at = end;
  }
  return keys;
}

}  // namespace callhook::cli
