#include "journal/merge.hpp"

#include <algorithm>
#include <charconv>
#include <memory>
#include <optional>
#include <type_traits>

#include "journal/reader.hpp"
#include "util/time_format.hpp"

namespace callhook::journal {
namespace {

// One shard's journal, read one record ahead.
struct Source {
  std::string path;
  std::unique_ptr<JournalReader> reader;
  std::uint64_t index = 0;
  std::int64_t started_us = 0;  // its run's wall start, unix us
  std::optional<Entry> entry;   // the record to write next
  std::int64_t key_us = 0;      // when that record happened (unix us)

  void advance() {
    entry = reader->next();
    // Attempt records are written as attempts end, so their end times rise
    // through a file; finals, findings and the end keep the time before them.
    if (!entry) return;
    if (auto* a = std::get_if<AttemptEntry>(&*entry)) {
      key_us = started_us + a->wall_offset_us + a->wall_latency_us;
    } else if (auto* p = std::get_if<ProbeEntry>(&*entry)) {
      key_us = started_us + p->wall_offset_us + p->wall_latency_us;
    }
  }
};

struct ShardName {
  std::uint64_t index = 0;
  std::uint64_t count = 0;
};

std::optional<ShardName> parse_shard_name(const std::string& text) {
  const auto slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  ShardName name;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto a = std::from_chars(begin, begin + slash, name.index);
  const auto b = std::from_chars(begin + slash + 1, end, name.count);
  if (a.ec != std::errc{} || a.ptr != begin + slash || b.ec != std::errc{} || b.ptr != end || name.count == 0 ||
      name.index >= name.count)
    return std::nullopt;
  return name;
}

// Every journal must be a different shard of one run.
void check_shards(const std::vector<Source>& sources) {
  const RunEntry& first = sources.front().reader->run();
  std::uint64_t count = 0;
  std::vector<std::string> seen;
  for (const Source& s : sources) {
    const RunEntry& run = s.reader->run();
    const auto name = parse_shard_name(run.shard);
    if (!name) throw JournalError(s.path + ": not a shard's journal (its run record has no \"shard\": \"I/N\")");
    if (run.scenario != first.scenario || run.seed != first.seed || run.speed != first.speed ||
        run.epoch_ms != first.epoch_ms)
      throw JournalError(s.path + ": scenario \"" + run.scenario + "\" seed " + std::to_string(run.seed) +
                         " does not match " + sources.front().path + " (scenario \"" + first.scenario + "\" seed " +
                         std::to_string(first.seed) + ", and the same speed and epoch)");
    if (count == 0) count = name->count;
    if (name->count != count)
      throw JournalError(s.path + ": shard " + run.shard + " is of " + std::to_string(name->count) +
                         " shards, the others of " + std::to_string(count));
    if (seen.size() < count) seen.resize(count);
    if (!seen[name->index].empty())
      throw JournalError(s.path + ": shard " + run.shard + " again (also " + seen[name->index] + ")");
    seen[name->index] = s.path;
  }
  for (std::uint64_t i = 0; i < count; ++i)
    if (seen[i].empty()) throw JournalError("shard " + std::to_string(i) + "/" + std::to_string(count) + " is missing");
}

}  // namespace

MergeSummary merge_journals(const std::vector<std::string>& paths, const std::string& out_path) {
  if (paths.empty()) throw JournalError("no journals to merge");
  std::vector<Source> sources;
  for (const std::string& path : paths) {
    Source s;
    s.path = path;
    s.reader = std::make_unique<JournalReader>(path);
    const auto started = util::parse_iso8601(s.reader->run().wall_started_at);
    if (!started) throw JournalError(path + ": the run record's wall_started_at is not an ISO 8601 time");
    s.started_us = *started * 1000;
    s.key_us = s.started_us;
    sources.push_back(std::move(s));
  }
  check_shards(sources);

  const auto earliest = std::min_element(sources.begin(), sources.end(),
                                         [](const Source& a, const Source& b) { return a.started_us < b.started_us; });
  const std::int64_t start_us = earliest->started_us;
  const RunEntry run = earliest->reader->run();
  JournalWriter out(out_path);
  out.set_run_facts(run.ordering, run.expect);
  out.run_header(run.scenario, run.seed, run.speed, run.epoch_ms, run.wall_started_at);

  MergeSummary summary;
  summary.shards = sources.size();
  EndEntry totals;
  for (Source& s : sources) s.advance();
  for (;;) {
    Source* next = nullptr;
    for (Source& s : sources)
      if (s.entry && (!next || s.key_us < next->key_us)) next = &s;
    if (!next) break;
    Entry& entry = *next->entry;
    const std::int64_t shift_us = next->started_us - start_us;
    if (auto* a = std::get_if<AttemptEntry>(&entry)) {
      a->wall_offset_us += shift_us;
      out.attempt(a->record());
    } else if (auto* p = std::get_if<ProbeEntry>(&entry)) {
      p->wall_offset_us += shift_us;
      out.probe(*p);
    } else if (const auto* f = std::get_if<FinalEntry>(&entry)) {
      out.final_record(f->record());
    } else if (const auto* finding = std::get_if<FindingEntry>(&entry)) {
      out.finding(finding->call, finding->event, finding->message);
    } else if (const auto* end = std::get_if<EndEntry>(&entry)) {
      for_each_field(
          [](auto, auto& sum, const auto& part) {
            if constexpr (std::is_same_v<std::remove_cvref_t<decltype(sum)>, bool>)
              sum = sum || part;
            else
              sum += part;
          },
          totals, *end);
    }
    ++summary.records;
    next->advance();
  }
  for (const Source& s : sources) summary.ended = summary.ended && s.reader->ended();
  if (summary.ended) out.end(totals);
  out.flush();
  return summary;
}

}  // namespace callhook::journal
