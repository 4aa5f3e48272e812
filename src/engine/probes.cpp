#include "engine/probes.hpp"

#include "util/url.hpp"

namespace callhook::engine {
namespace {

std::string fill_template(std::string text, const std::string& call_id) {
  const std::string token = "{call_id}";
  const std::string value = util::form_encode(call_id);
  for (std::size_t at = text.find(token); at != std::string::npos; at = text.find(token, at + value.size()))
    text.replace(at, token.size(), value);
  return text;
}

// "" when the body holds every expected value, else the first mismatch.
std::string mismatch(const scenario::StateProbe& probe, const std::string& text) {
  const auto body = util::parse_json(text, util::k_answer_json).value;
  if (body.is_discarded()) return "the answer is not JSON";
  for (const auto& [pointer, expected] : probe.expect) {
    const util::Json::json_pointer ptr(pointer);
    if (!body.contains(ptr)) return pointer + ": missing, expected " + expected.dump();
    if (body.at(ptr) != expected)
      return pointer + ": expected " + expected.dump() + ", got " + util::describe(body.at(ptr));
  }
  return "";
}

}  // namespace

vendors::Delivery probe_request(const scenario::StateProbe& probe, const std::string& call_id) {
  vendors::Delivery d;
  d.event = "probe";
  d.method = "GET";
  d.content_type.clear();
  d.call_id = call_id;
  d.url = fill_template(probe.url_template, call_id);
  return d;
}

report::ProbeResult judge_probe(const scenario::StateProbe& probe, const vendors::Delivery& request,
                                const delivery::HttpResult& answer) {
  report::ProbeResult p;
  p.call_id = request.call_id;
  p.url = request.url;
  if (answer.error != delivery::ErrorKind::None)
    p.message = delivery::error_name(answer.error);
  else if (answer.status / 100 != 2)
    p.message = "status " + std::to_string(answer.status);
  else
    p.message = mismatch(probe, answer.body);
  p.passed = p.message.empty();
  return p;
}

}  // namespace callhook::engine
