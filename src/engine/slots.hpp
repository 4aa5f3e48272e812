#pragma once
// What the engine keeps per delivery and per call, in slabs with free lists
// so a long run reuses the memory of finished calls.
#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "engine/probes.hpp"
#include "engine/timeline.hpp"
#include "util/header.hpp"
#include "util/rng.hpp"
#include "vendors/delivery.hpp"
#include "vendors/lifecycle.hpp"
#include "vendors/vendor.hpp"

namespace callhook::engine {

constexpr std::uint32_t k_no_session = std::numeric_limits<std::uint32_t>::max();
constexpr std::uint32_t k_no_script_call = std::numeric_limits<std::uint32_t>::max();

// One planned delivery (or a state probe) waiting, in flight, or retrying.
struct Item {
  enum class Stage { Queued, Parked, InFlight };
  vendors::Delivery d;
  std::uint32_t session = k_no_session;
  std::size_t stream = 0;
  std::string key;               // "<stream>.<call index>.<n>": stable across reruns
  int attempts = 0;              // attempts made so far
  std::int64_t due_ms = 0;       // due time of the next (or the current) attempt, virtual
  std::uint64_t plan_order = 0;  // planned order: ties between equal due times
  Stage stage = Stage::Queued;
  std::uint64_t park_stamp = 0;              // run-unique: tells a stale wake-up from the current park
  util::MonoUs sent_us = 0;                  // wall time of the current attempt
  std::int64_t retry_after_clamped_ms = -1;  // the last answer's, for the journal
  bool probe = false;
  const EventSettings* settings = nullptr;       // the plan's settings for d.event, once looked up
  std::uint32_t script_call = k_no_script_call;  // a scripted delivery's call (RunPlan::script_aliases)
  // A probe's call facts (for its expected values) and the wall time its first request went out.
  std::shared_ptr<const CallFacts> facts;
  util::MonoUs first_sent_us = 0;
};

// One call: its vendor session and its place in the order of its attempts.
struct CallSlot {
  std::unique_ptr<vendors::Session> vendor_session;
  std::size_t stream = 0;
  std::uint64_t call_index = 0;
  std::string call_id;
  std::vector<std::string> leg_ids;  // call-back legs: other call ids its deliveries carry (Voiceflow)
  std::uint32_t open = 0;            // items of this call not yet final
  std::uint32_t numbered = 0;        // items numbered so far (for keys)
  bool awaiting = false;             // a blocking delivery is not final yet
  CallTimeline timeline;
  std::vector<std::uint32_t> parked;  // items held back by the timeline
  vendors::LifecycleOrder lifecycle;  // out of order: the furthest place delivered (the script: per call)
  std::int64_t last_due_ms = 0;
  util::Rng fault_rng{0};
  util::Rng retry_rng{0};
  bool live = false;
  std::shared_ptr<CallFacts> facts;  // kept only when the stream has a probe
};

// Values addressed by a stable 32-bit index; released slots are reused.
// Values live in fixed chunks, never moved: a growing run adds a chunk
// instead of copying every live value into a bigger array (and the old
// array's pages going back to the system).
template <class T>
class Slab {
 public:
  static constexpr std::uint32_t k_chunk = 1024;

  // A free slot already holds T{} (release reset it), so it is not reset again.
  std::uint32_t add() {
    if (!m_free.empty()) {
      const std::uint32_t i = m_free.back();
      m_free.pop_back();
      return i;
    }
    if (m_size % k_chunk == 0) m_chunks.push_back(std::make_unique<T[]>(k_chunk));
    return m_size++;
  }
  // The slot's value is reset to T{} and reused later. A copyable value is
  // assigned from one empty value made once: making T{} anew would allocate
  // (a Delivery's default content type is longer than a short string), and
  // the slot's strings keep their storage until its next value arrives.
  void release(std::uint32_t i) {
    if constexpr (std::is_copy_assignable_v<T>) {
      static const T empty{};
      (*this)[i] = empty;
    } else {
      (*this)[i] = T{};
    }
    m_free.push_back(i);
  }
  T& operator[](std::uint32_t i) { return m_chunks[i / k_chunk][i % k_chunk]; }
  const T& operator[](std::uint32_t i) const { return m_chunks[i / k_chunk][i % k_chunk]; }
  // Asks the processor to bring slot i's value into the cache ahead of its
  // use. A load run keeps a hundred thousand values and more alive, touched
  // in the order their deliveries fall due, so each one is otherwise a
  // cache miss on the delivery's path; the engine asks for the next one
  // while it works on the current one.
  void prefetch(std::uint32_t i) const {
    const char* bytes = reinterpret_cast<const char*>(&(*this)[i]);
    for (std::size_t line = 0; line < sizeof(T); line += 64) __builtin_prefetch(bytes + line);
  }
  // Slots in use and free ones alike (a free slot holds T{}).
  std::uint32_t size() const { return m_size; }

 private:
  std::vector<std::unique_ptr<T[]>> m_chunks;
  std::uint32_t m_size = 0;
  std::vector<std::uint32_t> m_free;
};

}  // namespace callhook::engine
