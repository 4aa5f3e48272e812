#pragma once
// The working state shared by the fault passes of one batch.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "scenario/scenario.hpp"
#include "util/rng.hpp"
#include "vendors/delivery.hpp"
#include "vendors/vendor.hpp"

namespace callhook::faults {

// A delivery while faults act on it, with where it came from.
struct Planned {
  vendors::Delivery delivery;
  std::size_t origin = 0;                     // index in the batch as the vendor made it
  const scenario::FaultPlan* plan = nullptr;  // the plan for its event
};

// Independent random numbers per (delivery, fault): each decision has its own
// generator, so switching one fault on or off never changes another's draws.
class Draws {
 public:
  explicit Draws(std::uint64_t batch_seed) : m_seed(batch_seed) {}
  util::Rng rng(std::size_t origin, int copy, std::string_view fault) const {
    return util::Rng(util::derive(m_seed, origin, static_cast<std::uint64_t>(copy), fault));
  }

 private:
  std::uint64_t m_seed;
};

// Appends a fault name to a delivery's list.
inline void mark(vendors::Delivery& delivery, std::string_view fault) { delivery.faults.emplace_back(fault); }

// end_before_start where the start is a handshake (VoiceBot session_start):
// the end cannot be in the same batch, so the session is asked to send it
// ahead; it joins this batch due just before the handshake.
void end_ahead_of_handshake(std::vector<Planned>& items, const scenario::Stream& stream, const Draws& draws,
                            vendors::Session* session);

// Applies the named reorder patterns each delivery's plan asks for.
void reorder_patterns(std::vector<Planned>& items, std::string_view vendor, const Draws& draws);

}  // namespace callhook::faults
