#pragma once
#include <string>
#include <vector>

namespace callhook::util {

// One HTTP header, in the order it is sent.
struct Header {
  std::string name;
  std::string value;
  bool operator==(const Header&) const = default;
};
using Headers = std::vector<Header>;

}  // namespace callhook::util
