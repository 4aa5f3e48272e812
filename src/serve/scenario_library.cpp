#include "serve/scenario_library.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace callhook::serve {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_suffix = ".json";
// A library file larger than this is not read (scenarios are small).
constexpr std::uintmax_t k_max_file = 1 << 20;

}  // namespace

bool is_scenario_name(std::string_view name) {
  return !name.empty() && name.size() <= 128 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
  });
}

std::vector<std::string> scenario_names(const std::string& dir) {
  std::vector<std::string> names;
  if (dir.empty()) return names;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string file = it->path().filename().string();
    if (file.size() <= k_suffix.size() || !file.ends_with(k_suffix)) continue;
    std::string name = file.substr(0, file.size() - k_suffix.size());
    if (is_scenario_name(name) && it->is_regular_file(ec)) names.push_back(std::move(name));
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::optional<std::string> read_library_scenario(const std::string& dir, const std::string& name) {
  if (dir.empty() || !is_scenario_name(name)) return std::nullopt;
  const fs::path path = fs::path(dir) / (name + std::string(k_suffix));
  std::error_code ec;
  if (!fs::is_regular_file(path, ec) || fs::file_size(path, ec) > k_max_file || ec) return std::nullopt;
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string scenario_description(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::string line, out;
  while (std::getline(in, line) && line.rfind("//", 0) == 0) {
    const auto start = line.find_first_not_of(' ', 2);
    if (start == std::string::npos) continue;
    if (!out.empty()) out += ' ';
    out += line.substr(start);
  }
  return out;
}

std::string default_scenarios_dir() {
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  std::vector<fs::path> candidates;
  if (!ec) candidates.push_back(exe.parent_path().parent_path() / "share" / "callhook" / "scenarios");
  candidates.emplace_back("/scenarios");
  for (const auto& dir : candidates)
    if (fs::is_directory(dir, ec)) return dir.string();
  return "";
}

}  // namespace callhook::serve
