#include "run/lanes.hpp"

#include <algorithm>

namespace callhook::run {

std::size_t lane_count(std::size_t requested, std::size_t cores, std::int64_t concurrency, std::size_t connections,
                       std::int64_t calls_alive) {
  std::size_t lanes = requested > 0 ? requested : std::max<std::size_t>(1, cores);
  lanes = std::min(lanes, static_cast<std::size_t>(std::max<std::int64_t>(1, concurrency)));
  lanes = std::min(lanes, std::max<std::size_t>(1, connections));
  if (calls_alive >= 0) lanes = std::min(lanes, static_cast<std::size_t>(std::max<std::int64_t>(1, calls_alive)));
  return lanes;
}

scenario::Shard lane_shard(const scenario::Shard& process, std::size_t lane, std::size_t lanes) {
  const std::uint64_t count = std::max<std::uint64_t>(1, process.count);
  return scenario::Shard{process.index + count * lane, count * lanes};
}

std::int64_t lane_share(std::int64_t total, std::size_t lane, std::size_t lanes) {
  const auto n = static_cast<std::int64_t>(lanes);
  const std::int64_t share = total / n + (static_cast<std::int64_t>(lane) < total % n ? 1 : 0);
  return std::max<std::int64_t>(1, share);
}

}  // namespace callhook::run
