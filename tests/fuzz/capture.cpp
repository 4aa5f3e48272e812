// `callhook import`'s readers and --redact on any text: captures or an
// ImportError, never a crash; redaction keeps the body's length for ASCII.
#include <cstdint>
#include <string>
#include <string_view>

#include "import/readers.hpp"
#include "import/redact.hpp"

using namespace callhook::import;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  static const FieldMap map = parse_field_map(R"({"time":"/t","body":"/b","headers":"/h","url":"/u"})");
  for (const bool have_map : {false, true}) {
    try {
      switch (detect_format("fuzz", text, have_map)) {
        case Format::Record: (void)read_record("fuzz", text); break;
        case Format::Har: (void)read_har("fuzz", text); break;
        case Format::Svix: (void)read_svix("fuzz", text); break;
        case Format::Lines: (void)read_lines("fuzz", text, map); break;
        case Format::Journal: break;  // read from a file by the journal's own reader (fuzz_journal_reader)
      }
    } catch (const ImportError&) {
    }
  }
  const Redactor redactor;
  (void)redactor.body("application/json", text);
  (void)redactor.body("application/x-www-form-urlencoded", text);
  (void)redactor.path(text);
  return 0;
}
