#include <algorithm>
#include <filesystem>
#include <set>

#include "scenario/expectations.hpp"
#include "scenario/readers.hpp"
#include "util/base64.hpp"
#include "util/time_format.hpp"
#include "util/url.hpp"

namespace callhook::scenario::detail {

namespace {

std::vector<std::string> catalog_vendors(const Catalog& catalog) {
  std::vector<std::string> names;
  for (const auto& [name, events] : catalog.events) names.push_back(name);
  return names;
}

VendorNames vendor_names(const util::Cursor& at, const Catalog& catalog) {
  VendorNames names;
  at.require();
  const auto vendor = at.string(false);
  if (!vendor) return names;
  names.vendor = *vendor;
  if (!check_name(at, *vendor, "vendor", "", catalog_vendors(catalog))) return names;
  names.known = true;
  names.events = catalog.events.at(*vendor);
  if (const auto it = catalog.platforms.find(*vendor); it != catalog.platforms.end()) names.platforms = it->second;
  if (const auto it = catalog.signing.find(*vendor); it != catalog.signing.end()) names.signing = it->second;
  if (const auto it = catalog.facts.find(*vendor); it != catalog.facts.end()) names.facts = it->second;
  return names;
}

Stream read_stream(const util::Cursor& at, std::size_t index, const VendorNames& vendor, bool has_script) {
  Stream stream;
  if (!at.keys({"name", "vendor", "target", "vendor_config", "calls", "delivery", "faults", "overrides", "probe"}))
    return stream;
  stream.vendor = vendor.vendor;
  stream.name = at["name"].string(false).value_or(vendor.vendor + "-" + std::to_string(index));
  stream.target_pointer = at["target"].pointer();
  if (const auto target = at["target"].string()) {
    if (util::parse_url(*target))
      stream.target = *target;
    else
      at["target"].fail_expected("an http:// or https:// URL");
  }
  stream.vendor_config_pointer = at["vendor_config"].pointer();
  if (at["vendor_config"].is_object()) stream.vendor_config = *at["vendor_config"].node();

  const util::Cursor calls = at["calls"];
  if (calls.exists()) {
    stream.calls = read_calls(calls, vendor, has_script);
  } else {
    // A stream without "calls" only plays the script's calls.
    stream.calls.count = 0;
    if (!has_script) calls.fail("is required (a stream without calls needs a top-level \"script\")");
  }
  stream.delivery = read_delivery(at["delivery"], vendor, stream.event_delivery);
  stream.faults = read_faults(at["faults"], vendor, stream.event_faults);
  if (const util::Cursor overrides = at["overrides"]; overrides.is_object()) {
    for (auto it = overrides.node()->begin(); it != overrides.node()->end(); ++it) {
      check_event(overrides[it.key()], it.key(), vendor);
      stream.overrides[it.key()] = read_pointer_map(overrides[it.key()]);
    }
  }
  stream.probe = read_probe(at["probe"], vendor);
  return stream;
}

// A step's raw request ("body" or "body_base64", with "headers", "method",
// "path", "id"), nullopt for a step that names an event to generate.
std::optional<ScriptStep::Raw> read_raw_step(const util::Cursor& step) {
  const bool raw = step["body"].exists() || step["body_base64"].exists();
  if (!raw) {
    for (const char* key : {"headers", "method", "path", "id"})
      if (step[key].exists()) step[key].fail("belongs to a raw step: give the step a \"body\" too");
    return std::nullopt;
  }
  ScriptStep::Raw out;
  if (step["body"].exists() && step["body_base64"].exists())
    step["body_base64"].fail("is given with \"body\": give one");
  if (const auto body = step["body"].string()) out.body = *body;
  if (const util::Cursor encoded = step["body_base64"]; encoded.exists())
    if (const auto text = encoded.string()) {
      if (auto bytes = util::base64_decode(*text))
        out.body = std::move(*bytes);
      else if (!text->empty())
        encoded.fail("is not canonical base64");
    }
  if (const auto method = step["method"].string(false)) {
    const bool token = std::all_of(method->begin(), method->end(), [](char c) { return c >= 'A' && c <= 'Z'; });
    if (token)
      out.method = *method;
    else
      step["method"].fail("expected an HTTP method in capitals (\"POST\", \"GET\"), got \"" + *method + "\"");
  }
  if (const auto path = step["path"].string()) {
    if (!path->empty() && path->front() != '/' && path->front() != '?')
      step["path"].fail("expected a path starting with / (or a query starting with ?), got \"" + *path + "\"");
    else if (path->find_first_of(" \r\n\t") != std::string::npos)
      step["path"].fail("holds white space; percent-encode it");
    else
      out.path = *path;
  }
  out.id = step["id"].string_or("");
  if (const util::Cursor headers = step["headers"]; headers.exists() && headers.is_object()) {
    for (auto it = headers.node()->begin(); it != headers.node()->end(); ++it) {
      const util::Cursor value = headers[it.key()];
      const auto text = value.string();
      if (!text) continue;
      const bool name_ok = !it.key().empty() && it.key().find_first_of(" :\r\n\t") == std::string::npos;
      if (!name_ok)
        value.fail("is not a header name");
      else if (text->find_first_of("\r\n") != std::string::npos)
        value.fail("holds a line break");
      else
        out.headers.push_back({it.key(), *text});
    }
  }
  return out;
}

std::vector<ScriptStep> read_script(const util::Cursor& at, const std::vector<VendorNames>& vendors) {
  std::vector<ScriptStep> script;
  if (!non_empty_array(at)) return script;
  for (std::size_t i = 0; i < at.size(); ++i) {
    const util::Cursor step = at.at(i);
    if (!step.keys({"at_ms", "call", "event", "stream", "overrides", "copies", "together", "lost_ack", "again", "body",
                    "body_base64", "headers", "method", "path", "id"}))
      continue;
    ScriptStep parsed;
    parsed.raw = read_raw_step(step);
    step["at_ms"].require();
    step["call"].require();
    if (!parsed.raw) step["event"].require();
    parsed.at_ms = step["at_ms"].integer_or(0, 0);
    parsed.call = step["call"].string(false).value_or("");
    const util::Cursor stream = step["stream"];
    if (const auto index = stream.integer(0); index && !vendors.empty()) {
      if (static_cast<std::size_t>(*index) < vendors.size())
        parsed.stream = static_cast<std::size_t>(*index);
      else
        stream.fail("expected a stream index below " + std::to_string(vendors.size()) + ", got " +
                    std::to_string(*index));
    }
    if (const auto event = step["event"].string(false)) {
      parsed.event = *event;
      // A raw step's event only names it: an imported body the vendor's
      // catalog does not know is still sent.
      if (parsed.stream < vendors.size() && !parsed.raw) check_event(step["event"], *event, vendors[parsed.stream]);
    } else if (parsed.raw) {
      parsed.event = "request";
    }
    if (step["overrides"].exists()) parsed.overrides = read_pointer_map(step["overrides"]);
    parsed.copies = static_cast<int>(step["copies"].integer_or(1, 1, 100));
    parsed.together = step["together"].boolean_or(false);
    parsed.lost_ack = step["lost_ack"].boolean_or(false);
    parsed.again = step["again"].boolean_or(false);
    if (parsed.together && parsed.copies < 2)
      step["together"].fail("sends a step's copies at once, and this step has one (give \"copies\": 2 or more)");
    if (parsed.again && parsed.raw)
      step["again"].fail("does not apply to a raw step: repeat the step (same body and \"id\") to send it again");
    else if (parsed.again && step["overrides"].exists())
      step["again"].fail("sends an earlier step's delivery as it was, so it takes no \"overrides\"");
    script.push_back(std::move(parsed));
  }
  return script;
}

}  // namespace

// A limit is a number, or {"limit": N, "abort": true} to stop the run as
// soon as it is broken for good.
Expectations read_expect(const util::Cursor& at, std::vector<std::string>& abort_on) {
  Expectations expect;
  if (!at.exists()) return expect;
  std::vector<std::string> names;
  for (const auto& info : expectation_catalog()) names.emplace_back(info.name);
  if (!at.keys(names)) return expect;
  for (const auto& info : expectation_catalog()) {
    util::Cursor limit = at[info.name];
    if (limit.exists() && limit.node()->is_object()) {
      if (!limit.keys({"limit", "abort"})) continue;
      const util::Cursor abort = limit["abort"];
      if (abort.boolean_or(false)) {
        if (info.can_abort)
          abort_on.emplace_back(info.name);
        else
          abort.fail(
              std::string(info.name) +
              (info.bound == Bound::AtLeast ? " is a lower limit" : " can still change either way") +
              ", decided only when the run ends, so it cannot stop a run early; these can: " + abortable_names());
      }
      limit = limit["limit"];
      limit.require();
    }
    std::optional<double> value;
    if (info.ratio)
      value = limit.number(0, 1);
    else if (info.integral) {
      if (const auto count = limit.integer(0)) value = static_cast<double>(*count);
    } else
      value = limit.number(0);
    if (value) expect.emplace_back(std::string(info.name), *value);
  }
  return expect;
}

Scenario read_document(const util::Cursor& root, const std::string& source, const Catalog& catalog) {
  Scenario scenario;
  scenario.source = source;
  if (!root.keys({"name", "seed", "epoch", "speed", "concurrency", "max_duration_s", "streams", "script", "expect"}))
    return scenario;
  scenario.name = root["name"].string(false).value_or(std::filesystem::path(source).stem().string());
  scenario.seed = root["seed"].unsigned_integer().value_or(scenario.seed);
  if (const util::Cursor epoch = root["epoch"]; epoch.exists()) {
    const auto ms = epoch.node()->is_string() ? util::parse_iso8601(epoch.node()->get<std::string>()) : std::nullopt;
    if (ms)
      scenario.epoch_ms = *ms;
    else
      epoch.fail_expected("an ISO 8601 UTC time such as \"2025-07-16T11:40:57Z\"");
  }
  if (const util::Cursor speed = root["speed"]; speed.exists()) {
    if (speed.node()->is_string() && speed.node()->get<std::string>() == "max")
      scenario.speed = 0;
    else if (speed.node()->is_number() && speed.node()->get<double>() >= k_min_speed &&
             speed.node()->get<double>() <= k_max_speed)
      scenario.speed = speed.node()->get<double>();
    else
      speed.fail_expected(k_speed_range_text);
  }
  scenario.concurrency = root["concurrency"].integer_or(scenario.concurrency, 1, 100000);
  scenario.max_duration_s = root["max_duration_s"].number_or(0, k_min_run_s, k_max_run_s);

  const util::Cursor streams = root["streams"];
  streams.require();
  non_empty_array(streams);
  const bool has_script = root["script"].exists();
  std::vector<VendorNames> vendors;
  std::set<std::string> names;
  for (std::size_t i = 0; i < streams.size() && streams.node()->is_array(); ++i) {
    const util::Cursor at = streams.at(i);
    vendors.push_back(at.node()->is_object() ? vendor_names(at["vendor"], catalog) : VendorNames{});
    scenario.streams.push_back(read_stream(at, i, vendors.back(), has_script));
    if (at.node()->is_object() && !names.insert(scenario.streams.back().name).second)
      at["name"].fail("duplicate stream name \"" + scenario.streams.back().name + "\"");
  }
  scenario.script = read_script(root["script"], vendors);
  scenario.expect = read_expect(root["expect"], scenario.abort_on);
  // A probe is a check: a failed one fails the run, as an unmet expectation
  // does, unless the expect block allows some.
  const bool probed = std::any_of(scenario.streams.begin(), scenario.streams.end(),
                                  [](const Stream& stream) { return stream.probe.has_value(); });
  const bool limited = std::any_of(scenario.expect.begin(), scenario.expect.end(),
                                   [](const auto& limit) { return limit.first == "probe_failures"; });
  if (probed && !limited) scenario.expect.emplace_back("probe_failures", 0);
  return scenario;
}

}  // namespace callhook::scenario::detail

namespace callhook::scenario {

Expectations read_expectations(const util::Cursor& at) {
  std::vector<std::string> abort_on;
  return detail::read_expect(at, abort_on);
}

}  // namespace callhook::scenario
