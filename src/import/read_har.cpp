// HAR 1.2 (browser devtools, mitmproxy, Charles and proxy exports): each
// entry's request, at its startedDateTime.
#include "import/json_input.hpp"
#include "import/readers.hpp"
#include "import/time_text.hpp"
#include "util/base64.hpp"

namespace callhook::import {

std::vector<Captured> read_har(const std::string& path, std::string_view text) {
  const util::Json doc = parse_document(path, text, false);
  util::Problems problems;
  const util::Cursor root(&doc, "", problems);
  const util::Cursor entries = root["log"]["entries"];
  std::vector<Captured> out;
  if (!entries.exists()) entries.require();
  if (entries.exists() && entries.is_array()) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const util::Cursor entry = entries.at(i);
      const util::Cursor request = entry["request"];
      if (!entry.is_object()) break;
      request.require();
      entry["startedDateTime"].require();
      Captured c;
      c.where = path + ": " + entry.pointer();
      if (const auto time = entry["startedDateTime"].string()) {
        if (const auto ms = parse_time_text(*time))
          c.time_ms = *ms;
        else
          entry["startedDateTime"].fail_expected("an ISO 8601 time");
      }
      if (request.exists() && request.is_object()) {
        request["method"].require();
        request["url"].require();
        c.method = request["method"].string(false).value_or("POST");
        if (const auto url = request["url"].string(false)) c.path = path_of_url(request["url"], *url);
        c.headers = read_headers(request["headers"]);
        // HAR 1.2 keeps a request body as postData.text; some tools mark
        // binary bodies base64 as the response's content does.
        if (const util::Cursor post = request["postData"]; post.exists() && post.is_object()) {
          const std::string body = post["text"].string_or("");
          const std::string encoding = post["encoding"].string_or("");
          if (encoding == "base64") {
            if (auto bytes = util::base64_decode(body))
              c.body = std::move(*bytes);
            else if (!body.empty())
              post["text"].fail("is not base64, as its \"encoding\" says");
          } else {
            c.body = body;
          }
        }
      }
      if (!problems.empty()) break;
      out.push_back(std::move(c));
    }
  }
  throw_first(path, problems);
  return out;
}

}  // namespace callhook::import
