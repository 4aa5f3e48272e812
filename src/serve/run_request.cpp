#include "serve/run_request.hpp"

#include <algorithm>
#include <cctype>

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

std::optional<run::RunOptions> parse_run_request(std::string_view body, util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"scenario", "target", "seed", "speed", "concurrency", "connections", "threads", "set", "add", "insecure",
             "ordering", "grace_ms", "label", "id_prefix"});
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
    else if (!speed.node()->is_string())
      options.speed = speed.positive_number();
    else
      speed.fail_expected("a positive number or \"max\"");
  }
  if (const auto c = root["concurrency"].integer(1)) options.concurrency = *c;
  options.connections = static_cast<std::size_t>(root["connections"].integer_or(8, 1, 1024));
  if (const auto threads = root["threads"].integer(1, 1024)) options.threads = static_cast<std::size_t>(*threads);
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
  return options;
}

}  // namespace callhook::serve
