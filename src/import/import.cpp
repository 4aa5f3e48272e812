#include "import/import.hpp"

#include "import/recognise.hpp"

namespace callhook::import {

ImportResult import_captures(const ImportOptions& options) {
  ImportResult result;
  std::vector<Captured> all;
  for (const std::string& path : options.files) {
    Format format = Format::Record;
    auto captured = read_capture(path, options.map ? &*options.map : nullptr, &format);
    result.formats.emplace_back(format_name(format));
    all.insert(all.end(), std::make_move_iterator(captured.begin()), std::make_move_iterator(captured.end()));
  }
  if (all.empty())
    throw ImportError((options.files.empty() ? std::string("import") : options.files.front()) +
                      ": no requests to import");
  sort_by_time(all);
  const vendors::VendorInfo& vendor = choose_vendor(all, options.vendor);
  result.vendor = vendor.name;
  const Redactor redactor(options.redact_key);
  WriterOptions writer;
  writer.name = options.name.empty() ? "imported" : options.name;
  writer.target = options.target;
  writer.redactor = options.redact ? &redactor : nullptr;
  result.scenario = write_scenario(all, vendor, writer, result.summary);
  return result;
}

}  // namespace callhook::import
