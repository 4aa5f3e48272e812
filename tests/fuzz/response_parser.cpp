// The HTTP response parser on any bytes, fed in pieces whose sizes the input
// chooses (its first byte), with keep-alive responses one after another.
#include <cstdint>
#include <cstdlib>

#include "delivery/response_parser.hpp"

using callhook::delivery::ResponseParser;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::size_t piece = 1 + data[0] % 64;
  const char* bytes = reinterpret_cast<const char*>(data) + 1;
  std::size_t left = size - 1;
  ResponseParser parser;
  parser.reset();
  while (left > 0) {
    const std::size_t offered = std::min(piece, left);
    const std::size_t used = parser.feed(bytes, offered);
    if (used > offered) std::abort();
    if (parser.body().size() > ResponseParser::k_max_body) std::abort();
    bytes += used;
    left -= used;
    if (parser.failed()) return 0;
    if (parser.complete()) {
      if (!parser.keep_alive()) return 0;
      parser.reset();
    } else if (used < offered) {
      std::abort();  // fewer bytes used only when a response ended
    }
  }
  if (!parser.complete()) parser.finish_at_eof();
  return 0;
}
