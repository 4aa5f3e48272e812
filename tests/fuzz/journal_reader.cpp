// The journal reader on any bytes: records or a JournalError, never a crash.
#include <unistd.h>

#include <cstdint>
#include <fstream>
#include <string>

#include "journal/reader.hpp"

using namespace callhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/callhook-fuzz-journal-" + std::to_string(::getpid()) + ".jsonl";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    journal::JournalReader reader(path);
    while (reader.next()) {
    }
  } catch (const journal::JournalError&) {
  }
  return 0;
}
