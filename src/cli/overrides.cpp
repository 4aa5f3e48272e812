#include "cli/overrides.hpp"

#include <algorithm>

#include "cli/cli.hpp"
#include "engine/plan.hpp"
#include "engine/script.hpp"
#include "faults/body_edit.hpp"
#include "population/population.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

void add_pointers(const util::Json& node, const std::string& prefix, std::vector<std::string>& out) {
  if (node.is_object()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string pointer = prefix + "/" + util::pointer_token(it.key());
      out.push_back(pointer);
      add_pointers(*it, pointer, out);
    }
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i) {
      const std::string pointer = prefix + "/" + std::to_string(i);
      out.push_back(pointer);
      add_pointers(node[i], pointer, out);
    }
  }
}

bool has_pointer(const vendors::Delivery& sample, const std::string& pointer) {
  const auto all = payload_pointers(sample);
  return std::find(all.begin(), all.end(), pointer) != all.end();
}

}  // namespace

std::string flag_problem(const util::JsonFailure& failure) {
  std::string out = failure.message(/*one_line=*/true);
  if (!failure.pointer.empty()) out += " (at " + failure.pointer + ")";
  return out;
}

SetFlag parse_set_flag(const std::string& text, bool add) {
  const std::string name = add ? "--add" : "--set";
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw UsageError(name + " \"" + text + "\": expected [EVENT:]POINTER=VALUE, e.g. " + name +
                     " /data/userID=+15550100");
  std::string path = text.substr(0, eq);
  SetFlag flag;
  flag.flag = name;
  flag.text = text;
  flag.add = add;
  if (const auto colon = path.find(":/"); colon != std::string::npos) {
    flag.event = path.substr(0, colon);
    path = path.substr(colon + 1);
  }
  if (path.empty() || path.front() != '/') path = "/" + path;
  try {
    (void)util::Json::json_pointer(path);
  } catch (const std::exception&) {
    throw UsageError(name + " \"" + text + "\": \"" + path + "\" is not a JSON pointer");
  }
  flag.pointer = path;
  const std::string value = text.substr(eq + 1);
  auto parsed = util::parse_json(value, util::k_flag_json);
  if (parsed.ok()) {
    flag.value = std::move(parsed.value);
  } else if (parsed.failure->kind == util::JsonFailure::Kind::Syntax) {
    flag.value = value;  // not JSON: the text itself
  } else {
    throw UsageError(name + " " + path + ": the value is " + flag_problem(*parsed.failure));
  }
  return flag;
}

std::vector<SetFlag> parse_set_flags(const std::vector<std::string>& sets, const std::vector<std::string>& adds) {
  std::vector<SetFlag> flags;
  for (const auto& s : sets) flags.push_back(parse_set_flag(s, false));
  for (const auto& s : adds) flags.push_back(parse_set_flag(s, true));
  return flags;
}

std::vector<std::string> payload_pointers(const vendors::Delivery& delivery) {
  std::vector<std::string> out;
  if (faults::body_kind(delivery) == faults::BodyKind::Json) {
    add_pointers(util::Json::parse(delivery.body, nullptr, false), "", out);
    return out;
  }
  const std::string params = faults::params_of(delivery);
  std::size_t start = 0;
  while (start <= params.size()) {
    const std::size_t end = std::min(params.find('&', start), params.size());
    const std::string pair = params.substr(start, end - start);
    if (!pair.empty()) out.push_back("/" + util::form_decode(pair.substr(0, pair.find('='))));
    start = end + 1;
  }
  return out;
}

void check_set_flags(const std::vector<SetFlag>& flags, const std::vector<std::string>& events,
                     const std::vector<vendors::Delivery>& samples) {
  for (const auto& flag : flags) {
    if (!flag.event.empty() && std::find(events.begin(), events.end(), flag.event) == events.end()) {
      const std::string guess = util::did_you_mean(flag.event, events);
      std::string list;
      for (const auto& e : events) list += (list.empty() ? "" : ", ") + e;
      throw UsageError(flag.flag + " \"" + flag.text + "\": no event \"" + flag.event + "\"" +
                       (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") + "; events: " + list);
    }
    if (flag.add) continue;
    // A field missing from every payload it would apply to is a typo: --set
    // changes fields, --add adds them.
    bool applies = false, found = false;
    std::vector<std::string> candidates;
    for (const auto& sample : samples) {
      if (!flag.event.empty() && sample.event != flag.event) continue;
      applies = true;
      if (has_pointer(sample, flag.pointer)) {
        found = true;
        break;
      }
      for (auto& p : payload_pointers(sample)) candidates.push_back(std::move(p));
    }
    if (!applies || found) continue;
    const std::string guess = util::did_you_mean(flag.pointer, candidates);
    std::string events_checked;
    for (const auto& sample : samples)
      if ((flag.event.empty() || sample.event == flag.event) && events_checked.find(sample.event) == std::string::npos)
        events_checked += (events_checked.empty() ? "" : ", ") + sample.event;
    throw UsageError(flag.flag + " \"" + flag.text + "\": no field " + flag.pointer + " in the payload of " +
                     events_checked + (guess.empty() ? "" : " (did you mean " + guess + "?)") + "; --add " + flag.text +
                     " adds a new field");
  }
}

}  // namespace callhook::cli

namespace callhook::cli {

void apply_set_flags(engine::RunPlan& plan, const std::vector<SetFlag>& flags) {
  if (flags.empty()) return;
  std::vector<std::string> events;
  std::vector<vendors::Delivery> samples;
  for (std::size_t s = 0; s < plan.streams.size(); ++s) {
    const auto& stream = plan.streams[s];
    if (!stream.info || !stream.vendor) continue;
    for (const auto& e : stream.info->events)
      if (std::find(events.begin(), events.end(), e) == events.end()) events.push_back(e);
    const auto call = population::make_call(plan.scenario, s, 0, plan.scenario.epoch_ms);
    for (auto& d : engine::whole_session(*stream.vendor, call)) samples.push_back(std::move(d));
  }
  check_set_flags(flags, events, samples);
  // A --set changes the field where it is: events whose sample payload
  // lacks it keep their shape (events without a sample get it too).
  const auto lacks = [&](const std::string& event, const std::string& pointer) {
    bool sampled = false;
    for (const auto& d : samples) {
      if (d.event != event) continue;
      sampled = true;
      if (has_pointer(d, pointer)) return false;
    }
    return sampled;
  };
  for (std::size_t s = 0; s < plan.streams.size(); ++s) {
    const auto* info = plan.streams[s].info;
    for (const auto& flag : flags)
      for (const auto& event : info ? info->events : std::vector<std::string>{})
        if ((flag.event.empty() || flag.event == event) && (flag.add || !lacks(event, flag.pointer)))
          plan.scenario.streams[s].overrides[event][flag.pointer] = flag.value;
  }
}

}  // namespace callhook::cli
