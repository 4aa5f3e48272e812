// `callhook sink --record` files: one JSON object per request.
#include <algorithm>
#include <utility>

#include "import/json_input.hpp"
#include "import/readers.hpp"
#include "import/time_text.hpp"
#include "util/base64.hpp"

namespace callhook::import {
namespace {

// A record's path is percent-decoded; sent again it is encoded again: each
// byte outside RFC 3986's path characters as %XX.
std::string encode_path(std::string_view path) {
  static constexpr std::string_view k_allowed = "-._~!$&'()*+,;=:@/";
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (const char c : path) {
    const auto byte = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        k_allowed.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += k_hex[byte >> 4];
      out += k_hex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace

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
      c.path = encode_path(at["path"].string().value_or(""));
      if (const auto query = at["query"].string(); query && !query->empty()) c.path += "?" + *query;
      c.headers = read_headers(at["headers"]);
      c.body = at["body"].string().value_or("");
      // A body that is not UTF-8 is recorded exactly only as base64.
      if (const auto encoded = at["body_base64"].string()) {
        if (auto bytes = util::base64_decode(*encoded))
          c.body = std::move(*bytes);
        else
          at["body_base64"].fail("is not canonical base64");
      }
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
