#include <algorithm>

#include "scenario/readers.hpp"

namespace callhook::scenario::detail {

namespace {

// The four arrival forms are told apart by their key; exactly one is allowed.
Arrival read_arrival(const util::Cursor& at) {
  Arrival arrival;
  if (!at.exists() || !at.keys({"rate_per_s", "poisson", "stages", "start_rate", "at_ms"})) return arrival;
  std::vector<std::string> forms;
  for (const char* form : {"rate_per_s", "poisson", "stages", "at_ms"})
    if (at[form].exists()) forms.emplace_back(form);
  if (forms.size() != 1) {
    at.fail(std::string(forms.empty() ? "expected one of the keys" : "expected only one of the keys") +
            " \"rate_per_s\", \"poisson\", \"stages\", \"at_ms\"" +
            (forms.empty() ? std::string() : ", got " + quoted_list(forms)));
    return arrival;
  }
  if (at["start_rate"].exists() && forms[0] != "stages") at["start_rate"].fail("is only used with \"stages\"");
  if (forms[0] == "rate_per_s") {
    arrival.kind = Arrival::Kind::Constant;
    arrival.rate_per_s = at["rate_per_s"].positive_number().value_or(1);
  } else if (forms[0] == "poisson") {
    arrival.kind = Arrival::Kind::Poisson;
    arrival.rate_per_s = at["poisson"].positive_number().value_or(1);
  } else if (forms[0] == "stages") {
    arrival.kind = Arrival::Kind::Ramp;
    arrival.start_rate = at["start_rate"].number_or(0, 0);
    const util::Cursor stages = at["stages"];
    non_empty_array(stages);
    for (std::size_t i = 0; i < stages.size(); ++i) {
      const util::Cursor stage = stages.at(i);
      if (!stage.keys({"duration_s", "target_rate"})) continue;
      stage["duration_s"].require();
      stage["target_rate"].require();
      arrival.stages.push_back(
          {stage["duration_s"].positive_number().value_or(1), stage["target_rate"].number_or(0, 0)});
    }
  } else {
    arrival.kind = Arrival::Kind::List;
    const util::Cursor list = at["at_ms"];
    non_empty_array(list);
    for (std::size_t i = 0; i < list.size(); ++i)
      if (const auto ms = list.at(i).integer(0)) arrival.at_ms.push_back(*ms);
    // Calls are numbered in time order, whatever order the file lists them in.
    std::sort(arrival.at_ms.begin(), arrival.at_ms.end());
  }
  return arrival;
}

// A single value or a weighted mix; `check` validates each value.
template <class Check>
Mix read_mix(const util::Cursor& at, Mix fallback, Check check) {
  if (!at.exists()) return fallback;
  const util::Json& value = *at.node();
  if (value.is_string()) {
    check(at, value.get<std::string>());
    return {{value.get<std::string>(), 1.0}};
  }
  if (!value.is_object()) {
    at.fail_expected("a string or an object of weights");
    return fallback;
  }
  Mix mix;
  double total = 0;
  for (auto it = value.begin(); it != value.end(); ++it) {
    const util::Cursor weight = at[it.key()];
    check(weight, it.key());
    if (const auto w = weight.number(0)) {
      mix.emplace_back(it.key(), *w);
      total += *w;
    }
  }
  if (total <= 0 && mix.size() == value.size()) at.fail("expected at least one positive weight");
  return mix;
}

}  // namespace

Calls read_calls(const util::Cursor& at, const VendorNames& vendor, bool has_script) {
  Calls calls;
  if (!at.keys({"count", "for_s", "max_concurrent", "arrival", "duration_s", "turns", "direction", "platform",
                "country", "transfer_p", "return_p", "custom_parameters"}))
    return calls;
  // "count": 0 makes no calls of the stream's own: its settings shape the script's calls.
  calls.count = at["count"].integer(has_script ? 0 : 1);
  calls.for_s = at["for_s"].positive_number();
  calls.max_concurrent = at["max_concurrent"].integer(1);
  calls.arrival = read_arrival(at["arrival"]);
  calls.duration_s = read_distribution(at["duration_s"]).value_or(calls.duration_s);
  calls.turns = read_distribution(at["turns"]).value_or(calls.turns);
  calls.direction = read_mix(at["direction"], calls.direction, [](const util::Cursor& where, const std::string& name) {
    check_name(where, name, "direction", "", {"inbound", "outbound"});
  });
  calls.platform = read_mix(at["platform"], calls.platform, [&](const util::Cursor& where, const std::string& name) {
    if (vendor.known) check_name(where, name, "platform", "vendor \"" + vendor.vendor + "\"", vendor.platforms);
  });
  // A near miss among country codes is a different country, so no suggestion.
  if (const auto country = at["country"].string()) {
    if (*country == "1" || *country == "44" || *country == "61" || *country == "91")
      calls.country = *country;
    else
      at["country"].fail_expected("one of \"1\", \"44\", \"61\", \"91\"");
  }
  calls.transfer_p = at["transfer_p"].number_or(0, 0, 1);
  calls.return_p = at["return_p"].number_or(0, 0, 1);
  const util::Cursor custom = at["custom_parameters"];
  if (custom.is_object())
    for (auto it = custom.node()->begin(); it != custom.node()->end(); ++it)
      if (const auto value = custom[it.key()].string()) calls.custom_parameters[it.key()] = *value;

  const bool bounded_by_arrival =
      calls.arrival.kind == Arrival::Kind::List || calls.arrival.kind == Arrival::Kind::Ramp;
  if (!calls.count && !calls.for_s && !bounded_by_arrival && !at["count"].exists() && !at["for_s"].exists())
    at.fail("the stream never ends: give \"count\", \"for_s\", ramp \"stages\" or an \"at_ms\" list in \"arrival\"");
  return calls;
}

}  // namespace callhook::scenario::detail
