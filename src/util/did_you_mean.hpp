#pragma once
// "did you mean ...?" for every name a user types: flags, commands, keys,
// vendors, events, payload fields.
#include <string>
#include <string_view>
#include <vector>

namespace callhook::util {

// The closest candidate within a small edit distance, or "".
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace callhook::util
