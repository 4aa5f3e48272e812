#include "serve/run_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "util/url.hpp"

namespace callhook::serve {

std::optional<util::Json> parse_json_body(std::string_view body, util::Problems& problems) {
  auto [doc, failure] = util::parse_json(body, util::k_scenario_json);  // a scenario inside, comments allowed
  if (failure) {
    problems.add(failure->pointer, "the body is not valid JSON: " + failure->message());
    return std::nullopt;
  }
  if (!doc.is_object()) {
    problems.add("", "expected a JSON object, got " + util::describe(doc));
    return std::nullopt;
  }
  return doc;
}

std::optional<RunNames> parse_run_names(std::string_view body, util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  RunNames names;
  if (const auto label = root["label"].string(false)) {
    const bool printable = std::all_of(label->begin(), label->end(), [](char c) { return c >= 0x20 && c != 0x7f; });
    if (label->size() > 64 || !printable)
      root["label"].fail_expected("1 to 64 printable characters");
    else
      names.label = *label;
  }
  if (const auto prefix = root["id_prefix"].string(false)) {
    const auto allowed = [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
    };
    if (prefix->size() > 32 || !std::isalnum(static_cast<unsigned char>(prefix->front())) ||
        !std::all_of(prefix->begin(), prefix->end(), allowed))
      root["id_prefix"].fail_expected("1 to 32 letters, digits, '.', '_' or '-', starting with a letter or digit");
    else
      names.id_prefix = *prefix;
  }
  if (!problems.empty()) return std::nullopt;
  return names;
}

std::optional<run::RunOptions> parse_run_request(std::string_view body, const RunPolicy& policy,
                                                 util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"scenario", "target", "seed", "speed", "concurrency", "connections", "threads", "set", "add", "insecure",
             "ordering", "grace_ms", "max_duration_s", "label", "id_prefix"});
  const RunLimits& limits = policy.limits;
  run::RunOptions options;
  options.scenario_path = "scenario";  // names it in messages

  const auto scenario = root["scenario"];
  scenario.require();
  std::optional<util::Json> scenario_doc;
  if (scenario.present()) {
    if (scenario.node()->is_object()) {
      scenario_doc = *scenario.node();
    } else if (const auto text = scenario.string(false)) {
      options.scenario_text = *text;
      // Kept as text (the loader then reports line:column); parsed only to
      // apply "ordering".
      if (root["ordering"].present()) {
        auto parsed = util::parse_json(*text, util::k_scenario_json).value;
        if (parsed.is_object()) scenario_doc = std::move(parsed);
      }
    }
  }
  if (const auto target = root["target"].string(false)) {
    if (util::parse_url(*target))
      options.target = *target;
    else
      root["target"].fail("expected an http:// or https:// URL, got " + util::describe(*root["target"].node()));
  }
  if (const auto seed = root["seed"].unsigned_integer()) options.seed = *seed;
  const auto speed = root["speed"];
  if (speed.present()) {
    if (speed.node()->is_string() && speed.node()->get<std::string>() == "max")
      options.speed = 0;
    else if (speed.node()->is_number() && speed.node()->get<double>() >= scenario::k_min_speed &&
             speed.node()->get<double>() <= scenario::k_max_speed)
      options.speed = speed.node()->get<double>();
    else
      speed.fail_expected(scenario::k_speed_range_text);
  }
  if (const auto c = root["concurrency"].integer(1)) {
    if (*c > limits.max_concurrency)
      root["concurrency"].fail("the server allows at most " + std::to_string(limits.max_concurrency) +
                               " calls at once (--max-run-concurrency), got " + std::to_string(*c));
    options.concurrency = *c;
  }
  if (const auto c = root["connections"].integer(1)) {
    if (*c > limits.max_connections)
      root["connections"].fail("the server allows at most " + std::to_string(limits.max_connections) +
                               " connections per receiver (--max-run-connections), got " + std::to_string(*c));
    options.connections = static_cast<std::size_t>(*c);
  }
  if (const auto threads = root["threads"].integer(1, k_max_threads))
    options.threads = static_cast<std::size_t>(*threads);
  options.max_duration_s = limits.max_duration_s;
  if (const auto seconds = root["max_duration_s"].number(0, 1e300)) {
    if (!(*seconds > 0) || *seconds > limits.max_duration_s)
      root["max_duration_s"].fail("expected seconds above 0 and at most " + util::describe(limits.max_duration_s) +
                                  " (--max-run-duration), got " + util::describe(*root["max_duration_s"].node()));
    else
      options.max_duration_s = *seconds;
  }
  options.hosted = true;
  options.insecure = root["insecure"].boolean().value_or(false);
  options.grace_ms = root["grace_ms"].integer_or(options.grace_ms, 0, 3'600'000);
  // "set" and "add": {"[EVENT:]POINTER": value}, as --set and --add; checked
  // against the vendors' payloads when the session makes its plan.
  options.sets = run::parse_field_members(root, problems);
  if (const auto ordering = root["ordering"].one_of({"concurrent", "strict"}); ordering && scenario_doc) {
    // Every stream's delivery.ordering, as if written in the scenario.
    auto streams = scenario_doc->find("streams");
    if (streams != scenario_doc->end() && streams->is_array())
      for (auto& stream : *streams)
        if (stream.is_object() && (!stream.contains("delivery") || stream["delivery"].is_object()))
          stream["delivery"]["ordering"] = *ordering;
  }
  if (scenario_doc) options.scenario_text = scenario_doc->dump();
  if (!problems.empty()) return std::nullopt;
  // Once the scenario is loaded, before anything starts: the limits and
  // the targets, at pointers into this body.
  options.adjust_scenario = [&policy, target = options.target,
                             own_concurrency = options.concurrency.has_value()](scenario::Scenario& loaded) {
    util::Problems refused;
    if (!target.empty()) refuse_target(policy.targets, target, "/target", refused);
    if (!refused.empty()) throw RequestRefused(403, std::move(refused));
    check_scenario(loaded, policy, "/scenario", own_concurrency);
  };
  return options;
}

std::optional<double> query_seconds(const std::string& text) {
  double value = 0;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end || !std::isfinite(value) || value < 0) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> query_seed(const std::string& text) {
  std::uint64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [at, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || at != end) return std::nullopt;
  return value;
}

std::optional<std::uint64_t> query_count(const std::string& text, std::uint64_t least, std::uint64_t most) {
  const auto value = query_seed(text);
  if (!value || *value < least || *value > most) return std::nullopt;
  return value;
}

util::Problems scenario_problems(const util::Problems& problems) {
  util::Problems out;
  for (const auto& p : problems.list()) out.add("/scenario" + p.pointer, p.message);
  return out;
}

}  // namespace callhook::serve
