// parse_url on any text: a URL whose own text parses back to the same parts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/url.hpp"

using namespace callhook::util;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto url = parse_url(text);
  if (!url) return 0;
  if (url->host.empty() || url->port == 0 || url->target.empty() || url->target.front() != '/') std::abort();
  const auto again = parse_url(url->str());
  if (!again || again->host != url->host || again->port != url->port || again->scheme != url->scheme ||
      again->target != url->target)
    std::abort();
  return 0;
}
