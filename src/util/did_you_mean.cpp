#include "util/did_you_mean.hpp"

#include <algorithm>

namespace callhook::util {
namespace {

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  // Closest by edit distance; among equals, the longest shared prefix
  // ("sped" is "speed", not "seed").
  const auto shared_prefix = [&](const std::string& c) {
    std::size_t n = 0;
    while (n < word.size() && n < c.size() && word[n] == c[n]) ++n;
    return n;
  };
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
  for (const auto& c : candidates) {
    const std::size_t d = edit_distance(word, c);
    if (d < best_distance || (d == best_distance && !best.empty() && shared_prefix(c) > shared_prefix(best))) {
      best_distance = d;
      best = c;
    }
  }
  if (!best.empty() || word.size() < 3) return best;
  // A shortened or lengthened name ("rate" for "rate_per_s"), when only one fits.
  std::size_t matches = 0;
  for (const auto& c : candidates) {
    const std::string_view candidate(c);
    if (candidate.substr(0, word.size()) == word || (c.size() >= 3 && word.substr(0, c.size()) == candidate)) {
      best = c;
      ++matches;
    }
  }
  return matches == 1 ? best : std::string();
}

}  // namespace callhook::util
