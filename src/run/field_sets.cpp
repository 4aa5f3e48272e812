#include "run/field_sets.hpp"

#include <algorithm>
#include <map>

#include "engine/plan.hpp"
#include "engine/script.hpp"
#include "faults/body_edit.hpp"
#include "faults/faults.hpp"
#include "population/population.hpp"
#include "util/url.hpp"

namespace callhook::run {
namespace {

// A flag is named with its target as written, not its value, which may be
// long ("--set ended:/data/x: PROBLEM"); a body member by its pointer.
std::string what_of(const FieldSet& set, const std::string& problem) {
  if (set.origin.rfind("--", 0) != 0) return set.origin + ": " + problem;
  constexpr std::size_t k_shown = 120;
  std::string target = set.text.substr(0, set.text.find('='));
  if (target.size() > k_shown) target = target.substr(0, k_shown) + "...";
  return set.origin + " " + target + ": " + problem;
}

// "[EVENT:]POINTER" into the set's event and pointer; a pointer without its
// leading slash gets one.
void read_target(FieldSet& set, std::string path) {
  if (const auto colon = path.find(":/"); colon != std::string::npos) {
    set.event = path.substr(0, colon);
    path = path.substr(colon + 1);
  }
  if (path.empty() || path.front() != '/') path = "/" + path;
  try {
    (void)util::Json::json_pointer(path);
  } catch (const std::exception&) {
    throw FieldSetError(set, "\"" + path + "\" is not a JSON pointer");
  }
  set.pointer = std::move(path);
}

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

std::string joined(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& item : list) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void check_event(const FieldSet& set, const std::vector<std::string>& events) {
  if (set.event.empty() || std::find(events.begin(), events.end(), set.event) != events.end()) return;
  const std::string guess = util::did_you_mean(set.event, events);
  throw FieldSetError(set, "no event \"" + set.event + "\"" +
                               (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                               "; events: " + joined(events));
}

// How the same override is written to add a field, for the message.
std::string as_add(const FieldSet& set) {
  if (set.origin == "--set") return "--add " + set.text;
  return "\"add\": {\"" + set.text + "\": ...}";
}

}  // namespace

FieldSetError::FieldSetError(const FieldSet& set, const std::string& problem)
    : BadInput(what_of(set, problem)), m_origin(set.origin), m_problem(problem) {}

std::string one_line_problem(const util::JsonFailure& failure) {
  std::string out = failure.message(/*one_line=*/true);
  if (!failure.pointer.empty()) out += " (at " + failure.pointer + ")";
  return out;
}

FieldSet parse_field_flag(const std::string& text, bool add) {
  FieldSet set;
  set.origin = add ? "--add" : "--set";
  set.text = text;
  set.add = add;
  const auto eq = text.find('=');
  if (eq == std::string::npos)
    throw FieldSetError(set, "expected [EVENT:]POINTER=VALUE, e.g. " + set.origin + " /data/userID=+15550100");
  read_target(set, text.substr(0, eq));
  const std::string value = text.substr(eq + 1);
  auto parsed = util::parse_json(value, util::k_flag_json);
  if (parsed.ok())
    set.value = std::move(parsed.value);
  else if (parsed.failure->kind == util::JsonFailure::Kind::Syntax)
    set.value = value;  // not JSON: the text itself
  else
    throw FieldSetError(set, "the value is " + one_line_problem(*parsed.failure));
  return set;
}

std::vector<FieldSet> parse_field_flags(const std::vector<std::string>& sets, const std::vector<std::string>& adds) {
  std::vector<FieldSet> out;
  for (const auto& s : sets) out.push_back(parse_field_flag(s, false));
  for (const auto& s : adds) out.push_back(parse_field_flag(s, true));
  return out;
}

std::vector<FieldSet> parse_field_members(const util::Cursor& body, util::Problems& problems) {
  std::vector<FieldSet> out;
  for (const bool add : {false, true}) {
    const auto members = body[add ? "add" : "set"];
    if (!members.present() || !members.is_object()) continue;
    for (const auto& [key, value] : members.node()->items()) {
      FieldSet set;
      set.origin = members[key].pointer();
      set.text = key;
      set.add = add;
      set.value = value;
      try {
        read_target(set, key);
      } catch (const FieldSetError& e) {
        add_problem(problems, e);
        continue;
      }
      out.push_back(std::move(set));
    }
  }
  return out;
}

void add_problem(util::Problems& problems, const FieldSetError& error) {
  if (error.origin().rfind("--", 0) == 0)
    problems.add("", error.what());
  else
    problems.add(error.origin(), error.problem());
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

void check_field_sets(const std::vector<FieldSet>& sets, const std::vector<std::string>& events,
                      const std::vector<vendors::Delivery>& samples) {
  for (const auto& set : sets) {
    check_event(set, events);
    if (set.add) continue;
    // A field missing from every payload it would apply to is a typo: a set
    // changes fields, an add adds them.
    bool applies = false, found = false;
    std::vector<std::string> candidates;
    for (const auto& sample : samples) {
      if (!set.event.empty() && sample.event != set.event) continue;
      applies = true;
      if (has_pointer(sample, set.pointer)) {
        found = true;
        break;
      }
      for (auto& p : payload_pointers(sample)) candidates.push_back(std::move(p));
    }
    if (!applies || found) continue;
    const std::string guess = util::did_you_mean(set.pointer, candidates);
    std::vector<std::string> checked;
    for (const auto& sample : samples)
      if ((set.event.empty() || sample.event == set.event) &&
          std::find(checked.begin(), checked.end(), sample.event) == checked.end())
        checked.push_back(sample.event);
    throw FieldSetError(set, "no field " + set.pointer + " in the payload of " + joined(checked) +
                                 (guess.empty() ? "" : " (did you mean " + guess + "?)") + "; " + as_add(set) +
                                 " adds a new field");
  }
}

void apply_field_sets(engine::RunPlan& plan, const std::vector<FieldSet>& sets) {
  if (sets.empty()) return;
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
  check_field_sets(sets, events, samples);
  // A set changes the field where it is: events whose sample payload lacks
  // it keep their shape (events without a sample get it too).
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
    for (const auto& set : sets)
      for (const auto& event : info ? info->events : std::vector<std::string>{})
        if ((set.event.empty() || set.event == event) && (set.add || !lacks(event, set.pointer)))
          plan.scenario.streams[s].overrides[event][set.pointer] = set.value;
  }
}

void apply_field_sets(vendors::Delivery& delivery, const std::vector<std::string>& events,
                      const std::vector<FieldSet>& sets) {
  check_field_sets(sets, events, {delivery});
  for (const auto& set : sets)
    if (!set.event.empty() && set.event != delivery.event)
      throw FieldSetError(set, "this sends only " + delivery.event);
  for (const auto& set : sets) {
    try {
      std::map<std::string, util::Json> one;
      one.emplace(set.pointer, set.value);
      faults::apply_overrides(delivery, one);
    } catch (const std::invalid_argument& e) {  // a pointer through a value that is not an object or array
      throw FieldSetError(set, e.what());
    }
  }
}

}  // namespace callhook::run
