#include "engine/batch.hpp"

#include "faults/faults.hpp"
#include "util/ids.hpp"

namespace callhook::engine {

void prepare_batch(std::vector<vendors::Delivery>& batch, const scenario::Stream& stream, std::uint64_t seed,
                   std::size_t stream_index, std::uint64_t call_index, std::uint32_t first_seq, util::Rng& fault_rng,
                   vendors::Session* session) {
  for (std::size_t i = 0; i < batch.size(); ++i) batch[i].seq = first_seq + static_cast<std::uint32_t>(i);
  for (auto& d : batch) {
    if (auto it = stream.overrides.find(d.event); it != stream.overrides.end()) faults::apply_overrides(d, it->second);
  }
  const std::uint64_t call_ids_seed = util::derive(seed, stream_index, call_index, "event-id");
  for (auto& d : batch) {
    if (!d.event_id.empty()) continue;
    util::Rng id_rng(util::derive(call_ids_seed, d.seq));
    d.event_id.reserve(4 + 27);
    d.event_id = "msg_";
    util::append_base62_id(d.event_id, id_rng, 27);
  }
  faults::apply(batch, stream, fault_rng, session);
}

}  // namespace callhook::engine
