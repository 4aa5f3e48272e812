// `callhook sink --record` files: one JSON object per request.
#include <algorithm>
#include <utility>

#include "import/json_input.hpp"
#include "import/readers.hpp"
#include "import/time_text.hpp"

namespace callhook::import {

std::vector<Captured> read_record(const std::string& path, std::string_view text) {
  // A sink writes a line when its answer is sent, so lines of requests served
  // at once may be out of arrival order; "seq" is the arrival order.
  std::vector<std::pair<std::int64_t, Captured>> read;
  for (const Line& line : lines_of(text)) {
    const std::string where = path + ":" + std::to_string(line.number);
    const util::Json doc = parse_document(where, line.text, true);
    util::Problems problems;
    const util::Cursor at(&doc, "", problems);
    Captured c;
    c.where = where;
    if (at.is_object()) {
      for (const char* key : {"received_at", "method", "path", "body"}) at[key].require();
      if (const auto time = at["received_at"].string()) {
        if (const auto ms = parse_time_text(*time))
          c.time_ms = *ms;
        else
          at["received_at"].fail_expected("an ISO 8601 time");
      }
      c.method = at["method"].string(false).value_or("POST");
      c.path = at["path"].string().value_or("");
      if (const auto query = at["query"].string(); query && !query->empty()) c.path += "?" + *query;
      c.headers = read_headers(at["headers"]);
      c.body = at["body"].string().value_or("");
      c.event = at["event"].string_or("");
      c.call = at["call_id"].string_or("");
    }
    const std::int64_t seq = at["seq"].integer_or(static_cast<std::int64_t>(read.size()), 0);
    throw_first(where, problems);
    read.emplace_back(seq, std::move(c));
  }
  std::stable_sort(read.begin(), read.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<Captured> out;
  for (auto& [seq, c] : read) out.push_back(std::move(c));
  return out;
}

}  // namespace callhook::import
