#include "scenario/fault_names.hpp"
#include "scenario/readers.hpp"

namespace callhook::scenario::detail {

namespace {

constexpr double k_max_ms = 86400000.0;  // a day: longer delays are typos, not faults

// Each key replaces that fault of `plan` whole, so a per-event block starts
// from the stream's plan and changes only what it names.
FaultPlan read_plan(const util::Cursor& at, FaultPlan plan, bool with_events) {
  std::vector<std::string> keys(k_fault_names.begin(), k_fault_names.end());
  if (with_events) keys.emplace_back("events");
  if (!at.keys(keys)) return plan;

  if (const util::Cursor c = at["delay"]; c.keys({"ms", "p"})) {
    Delay delay;
    c["ms"].require();
    if (const auto ms = read_distribution(c["ms"])) delay.ms = *ms;
    delay.p = c["p"].number_or(1, 0, 1);
    plan.delay = delay;
  }
  if (const util::Cursor c = at["duplicate"]; c.keys({"p", "copies", "spacing_ms", "new_id"})) {
    Duplicate duplicate;
    duplicate.p = c["p"].number_or(1, 0, 1);
    duplicate.copies = static_cast<int>(c["copies"].integer_or(1, 1, 100));
    duplicate.spacing_ms = c["spacing_ms"].integer_or(0, 0, static_cast<std::int64_t>(k_max_ms));
    duplicate.new_id = c["new_id"].boolean_or(false);
    plan.duplicate = duplicate;
  }
  if (const util::Cursor c = at["reorder"]; c.keys({"p", "window_ms", "patterns"})) {
    Reorder reorder;
    reorder.p = c["p"].number_or(1, 0, 1);
    reorder.window_ms = c["window_ms"].integer_or(0, 0, static_cast<std::int64_t>(k_max_ms));
    const util::Cursor patterns = c["patterns"];
    if (patterns.is_array())
      for (std::size_t i = 0; i < patterns.size(); ++i)
        if (const auto name =
                patterns.at(i).one_of({"end_before_start", "recording_before_end", "transcripts_out_of_sequence"}))
          reorder.patterns.push_back(*name);
    if (!c["window_ms"].exists() && !patterns.exists())
      c.fail("expected \"window_ms\" or \"patterns\": without either nothing moves");
    plan.reorder = reorder;
  }
  if (at["drop"].exists()) plan.drop_p = at["drop"].number_or(0, 0, 1);
  if (const util::Cursor c = at["stale_timestamp"]; c.exists()) {
    if (c.node()->is_object()) {
      c.keys({"p", "by_ms"});
      plan.stale_timestamp_p = c["p"].number_or(1, 0, 1);
      plan.stale_by_ms = c["by_ms"].integer_or(FaultPlan{}.stale_by_ms, 1);
    } else {
      plan.stale_timestamp_p = c.number_or(0, 0, 1);
      plan.stale_by_ms = FaultPlan{}.stale_by_ms;
    }
  }
  if (at["bad_signature"].exists()) plan.bad_signature_p = at["bad_signature"].number_or(0, 0, 1);
  if (at["lost_ack"].exists()) plan.lost_ack_p = at["lost_ack"].number_or(0, 0, 1);
  if (const util::Cursor c = at["schema_drift"]; c.keys({"field_p", "event_p"})) {
    if (!c["field_p"].exists() && !c["event_p"].exists()) c.fail("expected \"field_p\" or \"event_p\"");
    plan.drift_field_p = c["field_p"].number_or(0, 0, 1);
    plan.drift_event_p = c["event_p"].number_or(0, 0, 1);
  }
  return plan;
}

}  // namespace

FaultPlan read_faults(const util::Cursor& at, const VendorNames& vendor, std::map<std::string, FaultPlan>& per_event) {
  if (!at.exists()) return {};
  FaultPlan plan = read_plan(at, FaultPlan{}, true);
  const util::Cursor events = at["events"];
  if (!events.is_object()) return plan;
  for (auto it = events.node()->begin(); it != events.node()->end(); ++it) {
    const util::Cursor event = events[it.key()];
    check_event(event, it.key(), vendor);
    per_event[it.key()] = read_plan(event, plan, false);
  }
  return plan;
}

}  // namespace callhook::scenario::detail
