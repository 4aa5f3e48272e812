#include "engine/script.hpp"

#include <map>

#include "engine/fault_checks.hpp"
#include "engine/plan.hpp"
#include "faults/faults.hpp"
#include "population/population.hpp"
#include "scenario/fault_names.hpp"
#include "util/ids.hpp"
#include "util/text.hpp"

namespace callhook::engine {
std::vector<vendors::Delivery> whole_session(const vendors::Vendor& vendor, const population::Call& call,
                                             vendors::SessionFacts* facts) {
  auto session = vendor.open(call);
  std::vector<vendors::Delivery> all;
  auto batch = session->start();
  for (int rounds = 0; rounds < 64; ++rounds) {
    const bool blocking = !batch.empty() && batch.back().blocking;
    vendors::Delivery last = blocking ? batch.back() : vendors::Delivery{};
    for (auto& d : batch) all.push_back(std::move(d));
    if (!blocking) break;
    std::vector<vendors::Finding> ignored;
    batch = session->resume(last, vendors::Answer{true, 200, "{}", ""}, ignored);
  }
  if (facts) {
    *facts = session->facts();
    if (facts->call_id.empty() && !all.empty()) facts->call_id = all.front().call_id;
  }
  return all;
}

namespace {

// The delivery a step sends again (its "again"): the one an earlier step of
// the alias sent of that event, as it was sent; nullptr when none did.
const vendors::Delivery* sent_before(const std::map<std::string, vendors::Delivery>& sent, const std::string& event) {
  const auto it = sent.find(event);
  return it == sent.end() ? nullptr : &it->second;
}

// A raw step's request as a delivery: its bytes, sent to the stream's
// target with the step's path after the target's own.
vendors::Delivery raw_delivery(const scenario::ScriptStep& step, const std::string& target) {
  const scenario::ScriptStep::Raw& raw = *step.raw;
  vendors::Delivery d;
  d.event = step.event;
  d.method = raw.method;
  d.url = join_target(target, raw.path);
  d.body = raw.body;
  d.content_type.clear();
  for (const auto& h : raw.headers) {
    if (util::iequals(h.name, "Content-Type") && d.content_type.empty())
      d.content_type = h.value;
    else
      d.headers.push_back(h);
  }
  d.event_id = raw.id;
  d.call_id = step.call;
  return d;
}

}  // namespace

std::string join_target(const std::string& target, const std::string& path) {
  if (path.empty()) return target;
  const auto query = target.find('?');
  std::string base = target.substr(0, query);
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + path;
}

std::vector<vendors::Delivery> build_script(const scenario::Scenario& scenario, const std::vector<StreamPlan>& streams,
                                            util::Problems& problems, std::vector<ScriptCall>* calls,
                                            std::vector<std::uint32_t>* call_of) {
  struct AliasPlan {
    std::vector<vendors::Delivery> deliveries;
    std::vector<bool> used;
    std::uint32_t index = 0;                        // in *calls
    std::map<std::string, vendors::Delivery> sent;  // by event: the last delivery sent of it, for "again"
    std::uint32_t raw_steps = 0;                    // raw steps taken so far
  };
  std::map<std::pair<std::size_t, std::string>, AliasPlan> aliases;
  std::vector<vendors::Delivery> out;
  for (std::size_t k = 0; k < scenario.script.size(); ++k) {
    const auto& step = scenario.script[k];
    const std::string pointer = "/script/" + std::to_string(k);
    if (step.stream >= streams.size() || !streams[step.stream].vendor) continue;
    auto [it, fresh] = aliases.try_emplace({step.stream, step.call});
    if (fresh) {
      auto call = population::make_call(scenario, step.stream, k_script_call_index + aliases.size(),
                                        scenario.epoch_ms + step.at_ms);
      call.alias = step.call;
      vendors::SessionFacts session;
      it->second.deliveries = whole_session(*streams[step.stream].vendor, call, &session);
      it->second.used.assign(it->second.deliveries.size(), false);
      if (step.raw) session.call_id = step.call;  // an imported call's alias is its recorded id
      if (calls) {
        const auto& platforms = streams[step.stream].info->platforms;
        it->second.index = static_cast<std::uint32_t>(calls->size());
        calls->push_back({step.stream, call_facts(call, session, platforms.empty() ? "" : platforms.front())});
      }
    }
    AliasPlan& alias = it->second;
    if (step.lost_ack)
      if (std::string problem = lost_ack_problem(streams[step.stream].for_event(step.event).retry); !problem.empty()) {
        problems.add(pointer + "/lost_ack", problem);
        continue;
      }
    vendors::Delivery d;
    int first_copy = 0;
    if (step.again) {
      const vendors::Delivery* earlier = sent_before(alias.sent, step.event);
      if (!earlier) {
        problems.add(pointer + "/again", "call \"" + step.call + "\" sent no \"" + step.event +
                                             "\" before this step, so there is none to send again");
        continue;
      }
      d = *earlier;
      first_copy = d.copy + 1;  // every copy of it is a duplicate
    } else if (step.raw) {
      d = raw_delivery(step, streams[step.stream].context.target);
      d.seq = alias.raw_steps++;  // its place among the alias's requests: the order they were recorded in
      if (!step.overrides.empty()) faults::apply_overrides(d, step.overrides);
      if (d.event_id.empty()) {
        util::Rng id_rng(util::derive(scenario.seed, 0, k_script_call_index + k, "event-id"));
        d.event_id = "msg_" + util::base62_id(id_rng, 27);
      }
    } else {
      std::size_t found = alias.deliveries.size();
      for (std::size_t i = 0; i < alias.deliveries.size(); ++i) {
        if (!alias.used[i] && alias.deliveries[i].event == step.event) {
          found = i;
          break;
        }
      }
      if (found == alias.deliveries.size()) {
        problems.add(pointer + "/event",
                     "call \"" + step.call + "\" has no " + (alias.used.empty() ? "" : "further ") + "\"" + step.event +
                         "\" event to send" +
                         (sent_before(alias.sent, step.event) ? " (\"again\": true sends it again)" : ""));
        continue;
      }
      alias.used[found] = true;
      d = alias.deliveries[found];
      d.seq = static_cast<std::uint32_t>(found);  // its place in the call's lifecycle, whatever the script's order
      d.blocking = false;
      if (!step.overrides.empty()) faults::apply_overrides(d, step.overrides);
      if (d.event_id.empty()) {  // one id per step: its copies are the same delivery again
        util::Rng id_rng(util::derive(scenario.seed, 0, k_script_call_index + k, "event-id"));
        d.event_id = "msg_" + util::base62_id(id_rng, 27);
      }
    }
    d.due_ms = scenario.epoch_ms + step.at_ms;
    d.lost_ack = step.lost_ack;
    d.together = step.together ? static_cast<std::uint32_t>(k + 1) : 0;
    for (int copy = 0; copy < std::max(1, step.copies); ++copy) {
      vendors::Delivery c = d;
      c.copy = first_copy + copy;
      if (c.copy > 0) c.faults.emplace_back(scenario::fault_name(scenario::Fault::Duplicate));
      out.push_back(std::move(c));
      if (call_of) call_of->push_back(alias.index);
    }
    d.copy = first_copy + std::max(1, step.copies) - 1;
    alias.sent[step.event] = std::move(d);
  }
  return out;
}

}  // namespace callhook::engine
