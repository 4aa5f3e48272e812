#include "serve/trigger.hpp"

#include "delivery/make_transport.hpp"
#include "run/sample_delivery.hpp"
#include "util/url.hpp"

namespace callhook::serve {

std::optional<nlohmann::ordered_json> send_trigger(const util::Json& body, util::Problems& problems) {
  const util::Cursor root(&body, "", problems);
  root.keys({"vendor", "event", "target", "seed", "platform", "direction", "vendor_config", "delivery", "set",
             "insecure", "timeout_ms"});
  run::SampleRequest request;
  root["vendor"].require();
  root["event"].require();
  root["target"].require();
  request.vendor = root["vendor"].string(false).value_or("");
  request.event = root["event"].string(false).value_or("");
  if (const auto target = root["target"].string(false)) {
    if (util::parse_url(*target))
      request.target = *target;
    else
      root["target"].fail("expected an http:// or https:// URL, got " + util::describe(*root["target"].node()));
  }
  request.seed = root["seed"].integer_or(1, 0);
  request.platform = root["platform"].string().value_or("");
  request.direction = root["direction"].one_of({"inbound", "outbound"}).value_or("inbound");
  if (root["vendor_config"].present() && root["vendor_config"].is_object())
    request.vendor_config = *root["vendor_config"].node();
  if (root["delivery"].present()) request.delivery = *root["delivery"].node();
  if (root["set"].present() && root["set"].is_object())
    for (const auto& [key, value] : root["set"].node()->items())
      request.overrides[key.empty() || key.front() != '/' ? "/" + key : key] = value;
  const bool insecure = root["insecure"].boolean().value_or(false);
  const std::int64_t timeout_ms = root["timeout_ms"].integer_or(10000, 1, 600000);
  if (!problems.empty()) return std::nullopt;

  util::Problems sample_problems;
  auto sample = run::sample_delivery(request, sample_problems);
  if (!sample) {
    for (const auto& p : sample_problems.list()) problems.add("/scenario" + p.pointer, p.message);
    return std::nullopt;
  }
  const auto& d = sample->delivery;
  nlohmann::ordered_json out;
  nlohmann::ordered_json headers = nlohmann::ordered_json::array();
  for (const auto& h : sample->headers) headers.push_back({h.name, h.value});
  out["request"] = {{"method", d.method}, {"url", d.url}, {"event", d.event}, {"headers", headers}, {"body", d.body}};

  const auto url = util::parse_url(d.url);
  if (!url) {
    out["response"] = nullptr;
    out["error"] = "not an http(s) URL: " + d.url;
    return out;
  }
  util::SystemClock clock;
  delivery::TransportOptions options;
  options.connections_per_origin = 1;
  options.insecure = insecure;
  auto transport = delivery::make_transport(options, clock);
  delivery::HttpRequest http;
  http.id = 1;
  http.url = *url;
  http.method = d.method;
  http.headers = sample->headers;
  if (d.method != "GET") http.body = d.body;
  http.timeout_ms = timeout_ms;
  transport->submit(std::move(http));
  std::vector<delivery::HttpResult> done;
  while (done.empty()) transport->poll(done, 100'000);
  const auto& result = done.front();
  if (result.error != delivery::ErrorKind::None) {
    out["response"] = nullptr;
    out["error"] =
        std::string(delivery::error_name(result.error)) + (result.error_text.empty() ? "" : ": " + result.error_text);
  } else {
    out["response"] = {
        {"status", result.status}, {"body", result.body}, {"latency_ms", static_cast<double>(result.latency_us) / 1e3}};
    out["error"] = nullptr;
  }
  return out;
}

}  // namespace callhook::serve
