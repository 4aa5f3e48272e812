// Which reader a file needs, and --map.
#include <algorithm>

#include "import/json_input.hpp"
#include "import/readers.hpp"

namespace callhook::import {
namespace {

bool has_all(const util::Json& doc, std::initializer_list<const char*> keys) {
  return doc.is_object() &&
         std::all_of(keys.begin(), keys.end(), [&doc](const char* key) { return doc.contains(key); });
}

}  // namespace

std::string_view format_name(Format format) {
  switch (format) {
    case Format::Record: return "sink record";
    case Format::Har: return "HAR";
    case Format::Svix: return "Svix attempts";
    case Format::Lines: return "JSON lines";
    case Format::Journal: return "journal";
  }
  return "unknown";
}

FieldMap parse_field_map(std::string_view json) {
  const auto parsed = util::parse_json(json, util::k_flag_json);
  if (!parsed.ok()) throw ImportError("--map: " + parsed.failure->message(true));
  util::Problems problems;
  const util::Cursor root(&parsed.value, "", problems);
  FieldMap map;
  if (root.keys({"time", "body", "headers", "method", "path", "url"})) {
    root["body"].require();
    const auto pointer = [&root](const char* key) {
      const std::string value = root[key].string_or("");
      if (!value.empty() && value.front() != '/')
        root[key].fail("expected a JSON pointer (\"/payload\"), got \"" + value + "\"");
      return value;
    };
    map.time = pointer("time");
    map.body = pointer("body");
    map.headers = pointer("headers");
    map.method = pointer("method");
    map.path = pointer("path");
    map.url = pointer("url");
  }
  throw_first("--map", problems);
  return map;
}

Format detect_format(const std::string& path, std::string_view text, bool have_map) {
  const auto lines = lines_of(text);
  if (lines.empty()) throw ImportError(path + ": the file is empty");
  const auto first = util::parse_json(lines.front().text, k_capture_json);
  if (!first.ok() || lines.size() == 1) {
    // One document over several lines: HAR or a Svix listing.
    const util::Json doc = parse_document(path, text, false);
    if (doc.is_object() && doc.contains("log")) return Format::Har;
    if (have_map && !doc.is_array()) return Format::Lines;
    if (doc.is_array() || (doc.is_object() && doc.contains("data"))) return Format::Svix;
  }
  const util::Json& line = first.value;
  if (has_all(line, {"kind"}) && line["kind"] == "run") return Format::Journal;
  if (have_map) return Format::Lines;
  if (has_all(line, {"received_at", "method", "path", "headers", "body"})) return Format::Record;
  if (has_all(line, {"msg"}) || has_all(line, {"payload", "timestamp"})) return Format::Svix;
  throw ImportError(path + ":" + std::to_string(lines.front().number) +
                    ": cannot tell the format (a sink record, HAR, Svix attempts or a journal); for other JSON lines "
                    "say where the time, headers and body are with --map '{\"time\":\"/ts\",\"body\":\"/payload\","
                    "\"headers\":\"/h\"}'");
}

std::vector<Captured> read_capture(const std::string& path, const FieldMap* map, Format* format) {
  const std::string text = read_text(path);
  const Format found = detect_format(path, text, map != nullptr);
  if (format) *format = found;
  switch (found) {
    case Format::Record: return read_record(path, text);
    case Format::Har: return read_har(path, text);
    case Format::Svix: return read_svix(path, text);
    case Format::Lines: return read_lines(path, text, *map);
    case Format::Journal: return read_journal(path);
  }
  return {};
}

void sort_by_time(std::vector<Captured>& captured) {
  std::stable_sort(captured.begin(), captured.end(),
                   [](const Captured& a, const Captured& b) { return a.time_ms < b.time_ms; });
}

}  // namespace callhook::import
