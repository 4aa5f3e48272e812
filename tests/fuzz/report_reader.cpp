// The JSON report reader on any bytes: a report (written back out again) or
// a ReportError, never a crash.
#include <cstdint>
#include <string>

#include "report/json_report.hpp"
#include "report/report_reader.hpp"

using namespace callhook;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    report::ReadReport read =
        report::ReportReader::read_text(std::string(reinterpret_cast<const char*>(data), size), "fuzz.json");
    report::RunStats copy;
    copy.merge(read.stats, 1000000);
    (void)report::to_json(copy, read.info, report::check_expectations(read.expect, copy)).dump();
  } catch (const report::ReportError&) {
  }
  return 0;
}
