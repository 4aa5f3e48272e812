#include "serve/run_request.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>

#include "run/bad_input.hpp"
#include "run/calls_shape.hpp"
#include "run/shard_text.hpp"
#include "serve/scenario_library.hpp"
#include "serve/serve_options.hpp"
#include "util/clock.hpp"
#include "util/did_you_mean.hpp"
#include "util/url.hpp"

namespace callhook::serve {

namespace {

// Calls in all at most, as `run --count` allows.
constexpr std::int64_t k_max_count = std::int64_t{1} << 40;

// Whether a "scenario" string is a scenario file's text rather than a name:
// a name is [a-z0-9-]+ and never starts as JSON or a comment does.
bool is_scenario_text(const std::string& given) {
  const auto first = given.find_first_not_of(" \t\r\n");
  return first != std::string::npos && (given[first] == '{' || given[first] == '/');
}

// The text of the library's scenario NAME (DIR/NAME.json), or nullopt with
// a problem at the cursor.
std::optional<std::string> library_scenario(const std::string& dir, const std::string& name, const util::Cursor& at) {
  if (!is_scenario_name(name)) {
    at.fail(
        "expected a scenario (an object or a file's text) or the name of one from GET /scenarios "
        "([a-z0-9-]+), got " +
        util::describe(*at.node()));
    return std::nullopt;
  }
  auto text = read_library_scenario(dir, name);
  if (!text) {
    const auto names = scenario_names(dir);
    const std::string guess = util::did_you_mean(name, names);
    at.fail("no scenario \"" + name + "\" in the library" + (guess.empty() ? "" : " (did you mean " + guess + "?)") +
            (dir.empty() ? std::string(": the server has none (--scenarios DIR)") : "; GET /scenarios lists them"));
  }
  return text;
}

// "count", "rate" and "duration": the shape `run --count/--rate/--duration` gives.
run::CallsShape read_calls_shape(const util::Cursor& root) {
  run::CallsShape shape;
  shape.count = root["count"].integer(1, k_max_count);
  shape.rate = root["rate"].positive_number();
  shape.duration_s = root["duration"].positive_number();
  return shape;
}

// Where a limit points when the request's count, rate or duration set
// what it measures: at that field rather than into the scenario.
std::string shaped_pointer(const run::CallsShape& shape, const std::string& pointer) {
  const std::string calls = "/scenario/streams/0/calls/";
  if (shape.count && pointer == calls + "count") return "/count";
  if (shape.duration_s && pointer == calls + "for_s") return "/duration";
  if (shape.rate && pointer == calls + "arrival") return "/rate";
  return pointer;
}

// "shard" ("I/N", as --shard) and "start_at" (as --start-at, at most
// --max-run-duration ahead: a run waiting for it holds a slot).
void read_shard(const util::Cursor& root, const RunLimits& limits, run::RunOptions& options) {
  std::string error;
  if (const auto text = root["shard"].string()) {
    if (const auto shard = run::parse_shard(*text, error))
      options.shard = *shard;
    else
      root["shard"].fail(error);
  }
  if (const auto text = root["start_at"].string()) {
    const std::int64_t now = util::SystemClock().unix_ms();
    if (const auto at = run::parse_start_at(*text, now, error)) {
      if (static_cast<double>(*at - now) > limits.max_duration_s * 1000)
        root["start_at"].fail("the server waits at most " + util::describe(limits.max_duration_s) +
                              " seconds for a start (--max-run-duration), got " +
                              util::describe(*root["start_at"].node()));
      else
        options.start_at_ms = *at;
    } else {
      root["start_at"].fail(error);
    }
  }
}

// "recordings_url" (as --recordings-url) and "recordings_listen" (as
// --recordings-listen, on a loopback address or the server's own).
void read_recordings(const util::Cursor& root, const RunPolicy& policy, run::RunOptions& options) {
  if (auto url = root["recordings_url"].string()) {
    if (!util::parse_url(*url)) {
      root["recordings_url"].fail("expected an http:// or https:// URL, got " +
                                  util::describe(*root["recordings_url"].node()));
    } else {
      while (url->back() == '/') url->pop_back();
      options.recordings_url = *url;
    }
  }
  if (const auto text = root["recordings_listen"].string()) {
    const auto address = util::parse_listen_address(*text);
    if (!address)
      root["recordings_listen"].fail("expected HOST:PORT with a port from 0 to 65535, got " +
                                     util::describe(*root["recordings_listen"].node()));
    else if (!resolves_to_loopback(address->host) && address->host != policy.listen_host)
      root["recordings_listen"].fail("the server's runs listen on a loopback address or the server's own (" +
                                     policy.listen_host + "), got " +
                                     util::describe(*root["recordings_listen"].node()));
    else {
      options.recordings_host = address->host;
      options.recordings_port = address->port;
    }
  }
}

}  // namespace

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

std::optional<std::vector<std::string>> parse_run_ids(std::string_view body, util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"runs"});
  const auto runs = root["runs"];
  runs.require();
  std::vector<std::string> ids;
  if (runs.present() && (!runs.node()->is_array() || runs.size() == 0))
    runs.fail_expected("a non-empty array of run ids");
  else if (runs.present())
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto id = runs.at(i).string(false);
      if (id && std::find(ids.begin(), ids.end(), *id) != ids.end())
        runs.at(i).fail("\"" + *id + "\" is named twice");
      else if (id)
        ids.push_back(*id);
    }
  if (!problems.empty()) return std::nullopt;
  return ids;
}

std::optional<run::RunOptions> parse_run_request(std::string_view body, const RunPolicy& policy,
                                                 util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"scenario",
             "target",
             "seed",
             "speed",
             "concurrency",
             "connections",
             "threads",
             "set",
             "add",
             "insecure",
             "ordering",
             "grace_ms",
             "max_duration_s",
             "label",
             "id_prefix",
             "count",
             "rate",
             "duration",
             "shard",
             "start_at",
             "recordings_url",
             "recordings_listen"});
  const RunLimits& limits = policy.limits;
  run::RunOptions options;
  options.scenario_path = "scenario";  // names it in messages

  const auto scenario = root["scenario"];
  scenario.require();
  std::optional<util::Json> scenario_doc;
  if (scenario.present()) {
    if (scenario.node()->is_object()) {
      scenario_doc = *scenario.node();
    } else if (const auto given = scenario.string(false)) {
      // A name from the library (GET /scenarios), or a scenario file's text.
      const std::optional<std::string> text =
          is_scenario_text(*given) ? given : library_scenario(policy.scenarios_dir, *given, scenario);
      if (text) options.scenario_text = *text;
      // Kept as text (the loader then reports line:column); parsed only to
      // apply "ordering".
      if (text && root["ordering"].present()) {
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
  const run::CallsShape shape = read_calls_shape(root);
  read_shard(root, limits, options);
  read_recordings(root, policy, options);
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
  options.adjust_scenario = [&policy, target = options.target, own_concurrency = options.concurrency.has_value(),
                             shape](scenario::Scenario& loaded) {
    try {
      run::apply_calls_shape(loaded, shape);
    } catch (const run::BadInput& e) {
      util::Problems unshaped;
      unshaped.add(shape.count ? "/count" : shape.rate ? "/rate" : "/duration", e.what());
      throw RequestRefused(400, std::move(unshaped));
    }
    util::Problems refused;
    if (!target.empty()) refuse_target(policy.targets, target, "/target", refused);
    if (!refused.empty()) throw RequestRefused(403, std::move(refused));
    try {
      check_scenario(loaded, policy, "/scenario", own_concurrency);
    } catch (const RequestRefused& e) {
      if (!shape.any()) throw;
      util::Problems over;
      for (const auto& p : e.problems().list()) over.add(shaped_pointer(shape, p.pointer), p.message);
      throw RequestRefused(e.status(), std::move(over));
    }
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
