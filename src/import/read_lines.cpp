// Generic JSON lines (a log of deliveries): where the time, headers and
// body sit is given by --map's JSON pointers.
#include <algorithm>

#include "import/json_input.hpp"
#include "import/readers.hpp"
#include "import/time_text.hpp"
#include "util/text.hpp"

namespace callhook::import {

std::vector<Captured> read_lines(const std::string& path, std::string_view text, const FieldMap& map) {
  std::vector<Captured> out;
  for (const Line& line : lines_of(text)) {
    const std::string where = path + ":" + std::to_string(line.number);
    const util::Json doc = parse_document(where, line.text, true);
    const util::OrderedJson ordered = parse_ordered_document(where, line.text, true);
    util::Problems problems;
    const util::Cursor root(&doc, "", problems);
    Captured c;
    c.where = where;
    const util::Cursor body = cursor_at(root, map.body);
    body.require();
    if (const util::OrderedJson* value = ordered_at(ordered, map.body)) c.body = body_text(*value);
    if (!map.time.empty()) {
      const util::Cursor time = cursor_at(root, map.time);
      time.require();
      if (time.exists()) {
        if (const auto ms = parse_time_value(*time.node()))
          c.time_ms = *ms;
        else
          time.fail_expected("a time (ISO 8601 text, or unix seconds or ms)");
      }
    }
    if (!map.headers.empty()) c.headers = read_headers(cursor_at(root, map.headers));
    if (!map.method.empty()) c.method = cursor_at(root, map.method).string(false).value_or("POST");
    if (!map.path.empty()) c.path = cursor_at(root, map.path).string().value_or("");
    if (!map.url.empty()) {
      const util::Cursor url = cursor_at(root, map.url);
      if (const auto text_url = url.string(false)) c.path = path_of_url(url, *text_url);
    }
    // A JSON body given as JSON says its own type when no header does.
    const util::OrderedJson* value = ordered_at(ordered, map.body);
    const bool has_type = std::any_of(c.headers.begin(), c.headers.end(),
                                      [](const util::Header& h) { return util::iequals(h.name, "Content-Type"); });
    if (!has_type && value && !value->is_string()) c.headers.push_back({"Content-Type", "application/json"});
    throw_first(where, problems);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace callhook::import
