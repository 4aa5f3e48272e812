#include "import/script_writer.hpp"

#include <algorithm>
#include <set>

#include "import/recognise.hpp"
#include "sink/forward.hpp"
#include "util/base64.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"
#include "util/utf8.hpp"

namespace callhook::import {
bool keep_header(std::string_view name) {
  if (name.empty() || name.front() == ':' || sink::is_hop_by_hop(name)) return false;
  for (std::string_view dropped :
       {"Via", "Forwarded", "X-Real-Ip", "Accept-Encoding", "Authorization", "Cookie", "webhook-id",
        "webhook-timestamp", "webhook-signature", "svix-id", "svix-timestamp", "svix-signature"})
    if (util::iequals(name, dropped)) return false;
  std::string lower;
  for (char c : name) lower += util::ascii_lower(c);
  return !lower.starts_with("x-forwarded-") && lower.find("signature") == std::string::npos;
}

util::OrderedJson write_scenario(const std::vector<Captured>& captured, const vendors::VendorInfo& vendor,
                                 const WriterOptions& options, WriteSummary& summary) {
  util::OrderedJson doc;
  doc["name"] = options.name;
  const std::int64_t first = captured.empty() ? 0 : captured.front().time_ms;
  // The epoch is the first request's time, so that step times are the
  // incident's own (at_ms 0 is the first request).
  if (first > 0) doc["epoch"] = first % 1000 == 0 ? util::iso8601_s(first) : util::iso8601_ms(first);
  doc["speed"] = 1;
  doc["streams"] = util::OrderedJson::array({{{"vendor", vendor.name}, {"target", options.target}}});
  util::OrderedJson script = util::OrderedJson::array();
  std::set<std::string> calls;
  std::int64_t last_at = 0;
  for (const Captured& c : captured) {
    Captured step_capture = c;
    if (options.redactor) {
      step_capture.body = options.redactor->body(header_value(step_capture.headers, "Content-Type"), step_capture.body);
      step_capture.path = options.redactor->path(step_capture.path);
    }
    const Recognised recognised = recognise(step_capture, vendor);
    util::OrderedJson step;
    last_at = std::max(last_at, c.time_ms - first);  // never before the step it follows
    step["at_ms"] = last_at;
    step["call"] = recognised.call;
    step["event"] = recognised.event;
    if (step_capture.method != "POST") step["method"] = step_capture.method;
    if (!step_capture.path.empty()) step["path"] = step_capture.path;
    util::OrderedJson headers = util::OrderedJson::object();
    for (const auto& h : step_capture.headers)
      if (keep_header(h.name) && !headers.contains(h.name)) headers[h.name] = h.value;
    if (!headers.empty()) step["headers"] = std::move(headers);
    std::string id = header_value(step_capture.headers, "webhook-id");
    if (id.empty()) id = header_value(step_capture.headers, "svix-id");
    if (!id.empty()) step["id"] = id;
    if (util::is_utf8(step_capture.body))
      step["body"] = step_capture.body;
    else
      step["body_base64"] = util::base64_encode(step_capture.body);
    script.push_back(std::move(step));
    calls.insert(recognised.call);
    ++summary.steps;
    if (!recognised.known) ++summary.unrecognised;
  }
  summary.calls = calls.size();
  doc["script"] = std::move(script);
  return doc;
}

}  // namespace callhook::import
