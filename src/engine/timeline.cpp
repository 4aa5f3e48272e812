#include "engine/timeline.hpp"

#include <algorithm>

namespace callhook::engine {
namespace {

bool together(const TimelinePlace& a, const TimelinePlace& b) { return a.together != 0 && a.together == b.together; }

bool earlier(const TimelinePlace& a, const TimelinePlace& b) {
  return a.due_ms != b.due_ms ? a.due_ms < b.due_ms : a.plan_order < b.plan_order;
}

// Copies of one delivery (duplicate fault, spacing 0) due at the same
// moment, or of one scripted step sent together.
bool same_moment_copies(const TimelinePlace& a, const TimelinePlace& b) {
  return (a.seq == b.seq && a.due_ms == b.due_ms) || together(a, b);
}

}  // namespace

util::MonoUs CallTimeline::release_at(const TimelinePlace& next, util::MonoUs now) const {
  if (m_ordering == Ordering::Strict) {
    const bool shares_turn = std::all_of(m_turn.begin(), m_turn.end(), [&](const TimelinePlace& holder) {
      return holder.item == next.item || together(holder, next);
    });
    return shares_turn ? now : k_no_time;
  }
  util::MonoUs at = now;
  for (const auto& flying : m_in_flight) {
    if (!earlier(flying, next) || same_moment_copies(flying, next)) continue;
    if (m_ordering == Ordering::Timeline) return k_no_time;
    // Concurrent: a real vendor would have sent `next` (next.due - flying.due)
    // after `flying`, so the two overlap once `flying` has taken that long.
    at = std::max(at, flying.sent_us + (next.due_ms - flying.due_ms) * 1000);
  }
  return at;
}

void CallTimeline::sent(const TimelinePlace& place) {
  m_in_flight.push_back(place);
  if (m_ordering != Ordering::Strict) return;
  const bool holds =
      std::any_of(m_turn.begin(), m_turn.end(), [&](const TimelinePlace& p) { return p.item == place.item; });
  if (!holds) m_turn.push_back(place);
}

void CallTimeline::answered(std::uint32_t item) {
  const auto it =
      std::find_if(m_in_flight.begin(), m_in_flight.end(), [item](const TimelinePlace& p) { return p.item == item; });
  if (it != m_in_flight.end()) m_in_flight.erase(it);
}

void CallTimeline::finished(std::uint32_t item) {
  m_turn.erase(std::remove_if(m_turn.begin(), m_turn.end(), [item](const TimelinePlace& p) { return p.item == item; }),
               m_turn.end());
}

}  // namespace callhook::engine
