// Form encoding on any bytes: decoding undoes encoding; decoding and
// looking up parameters never fail.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "util/url.hpp"

using namespace callhook::util;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (form_decode(form_encode(text)) != text) std::abort();
  const std::string decoded = form_decode(text);
  if (decoded.size() > text.size()) std::abort();
  (void)form_value(text, "Event");
  (void)form_value(text, "");
  return 0;
}
