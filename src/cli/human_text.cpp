#include "cli/human_text.hpp"

#include <sstream>

namespace callhook::cli {

std::string human_duration_ms(std::int64_t ms) {
  if (ms < 1000 || ms % 1000 != 0) {
    if (ms < 60000) return format_number(static_cast<double>(ms) / (ms < 1000 ? 1 : 1000)) + (ms < 1000 ? " ms" : " s");
  }
  std::int64_t s = ms / 1000;
  const std::int64_t h = s / 3600, min = (s % 3600) / 60;
  s %= 60;
  std::string text;
  if (h) text += std::to_string(h) + " h";
  if (min) text += (text.empty() ? "" : " ") + std::to_string(min) + " min";
  if (s || text.empty()) text += (text.empty() ? "" : " ") + std::to_string(s) + " s";
  return text;
}

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace callhook::cli
