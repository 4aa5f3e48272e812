#include "run/trigger_call.hpp"

#include <algorithm>

#include "journal/reader.hpp"
#include "run/run_session.hpp"
#include "run/temporary_journal.hpp"

namespace callhook::run {
namespace {

// A scenario of the one call: at max speed, each delivery tried once, as
// `callhook trigger` sends one event once.
util::Json call_scenario(const SampleRequest& request) {
  util::Json doc = sample_scenario(request, false);
  doc["speed"] = "max";
  util::Json& stream = doc["streams"][0];
  if (!stream.contains("delivery")) stream["delivery"] = util::Json::object();
  stream["delivery"]["retry"] = {{"max_attempts", 1}};
  return doc;
}

// The deliveries from the run's journal: each final with its last attempt
// and the findings on its event.
CallTriggerResult read_deliveries(const std::string& path) {
  CallTriggerResult out;
  journal::JournalReader reader(path);
  std::vector<journal::AttemptEntry> attempts;  // the last of each delivery, by key
  while (auto entry = reader.next()) {
    if (auto* a = std::get_if<journal::AttemptEntry>(&*entry)) {
      const auto same = std::find_if(attempts.begin(), attempts.end(),
                                     [&](const journal::AttemptEntry& b) { return b.delivery == a->delivery; });
      if (same != attempts.end())
        *same = std::move(*a);
      else
        attempts.push_back(std::move(*a));
    } else if (auto* f = std::get_if<journal::FinalEntry>(&*entry)) {
      CallDelivery d;
      d.key = f->delivery;
      d.event = f->event;
      d.result = f->result;
      d.reason = f->reason;
      if (out.call_id.empty()) out.call_id = f->call;
      const auto sent = std::find_if(attempts.begin(), attempts.end(),
                                     [&](const journal::AttemptEntry& b) { return b.delivery == f->delivery; });
      if (sent != attempts.end()) {
        d.status = sent->status;
        d.error = sent->error;
        d.latency_us = sent->wall_latency_us;
      }
      out.deliveries.push_back(std::move(d));
    } else if (auto* finding = std::get_if<journal::FindingEntry>(&*entry)) {
      // A finding is recorded when its delivery's answer is read, before its final.
      const auto it = std::find_if(out.deliveries.rbegin(), out.deliveries.rend(),
                                   [&](const CallDelivery& d) { return d.event == finding->event; });
      if (it != out.deliveries.rend())
        it->findings.push_back(finding->message);
      else
        out.deliveries.push_back(CallDelivery{"", finding->event, 0, "", 0, "", "", {finding->message}});
    }
  }
  return out;
}

}  // namespace

bool CallTriggerResult::accepted() const {
  return !deliveries.empty() &&
         std::all_of(deliveries.begin(), deliveries.end(), [](const CallDelivery& d) { return d.accepted(); });
}

std::optional<CallTriggerResult> trigger_call(const CallTriggerOptions& options, util::Problems& problems) {
  RunOptions run;
  run.scenario_path = "trigger --call";
  run.scenario_text = call_scenario(options.call).dump();
  run.sets = options.call.sets;
  run.insecure = options.insecure;
  run.threads = 1;
  run.connections = 1;
  run.recordings_host = options.recordings_host;
  run.recordings_port = options.recordings_port;
  run.recordings_url = options.recordings_url;
  std::optional<TemporaryJournal> temporary;
  if (options.journal_path.empty()) temporary.emplace("--call");
  run.journal_path = temporary ? temporary->path() : options.journal_path;
  RunSession session(std::move(run));
  if (!session.prepare()) {
    problems = session.problems();
    return std::nullopt;
  }
  session.run();
  session.finish();
  return read_deliveries(temporary ? temporary->path() : options.journal_path);
}

}  // namespace callhook::run
