#pragma once
// Joining the journals of a sharded run into the journal of the whole run,
// in wall-time order, for `callhook merge --journal` (and replay of it).
#include <string>
#include <vector>

namespace callhook::journal {

struct MergeSummary {
  std::size_t shards = 0;
  std::size_t records = 0;
  bool ended = true;  // every shard's journal had its end record
};

// Reads every journal (each a shard "I/N" of the same scenario, seed, speed
// and epoch, every index once) and writes their records to `out_path`: one
// run header (the earliest start), attempts in wall-time order with offsets
// from that start, each final and finding after the attempt it followed,
// and one end record with the summed totals when every shard ended. Throws
// JournalError naming the journal at fault.
MergeSummary merge_journals(const std::vector<std::string>& paths, const std::string& out_path);

}  // namespace callhook::journal
