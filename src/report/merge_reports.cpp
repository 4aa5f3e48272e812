#include "report/merge_reports.hpp"

#include <algorithm>

#include "util/time_format.hpp"

namespace callhook::report {
namespace {

std::string shard_name(const RunInfo& info) {
  return std::to_string(info.shard_index) + "/" + std::to_string(info.shard_count);
}

// Every report must be a different shard of one run.
void check_shards(const std::vector<ReadReport>& parts, const std::vector<std::string>& sources) {
  const RunInfo& first = parts.front().info;
  std::vector<std::string> seen(first.shard_count);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const RunInfo& info = parts[i].info;
    if (info.scenario_name != first.scenario_name || info.seed != first.seed || info.speed != first.speed)
      throw ReportError(sources[i] + ": scenario \"" + info.scenario_name + "\" seed " + std::to_string(info.seed) +
                        " does not match " + sources.front() + " (scenario \"" + first.scenario_name + "\" seed " +
                        std::to_string(first.seed) + ", and the same speed)");
    if (info.shard_count != first.shard_count)
      throw ReportError(sources[i] + ": shard " + shard_name(info) + " is of " + std::to_string(info.shard_count) +
                        " shards, " + sources.front() + " of " + std::to_string(first.shard_count));
    if (!seen[info.shard_index].empty())
      throw ReportError(sources[i] + ": shard " + shard_name(info) + " again (also " + seen[info.shard_index] + ")");
    seen[info.shard_index] = sources[i];
  }
  for (std::size_t index = 0; index < seen.size(); ++index)
    if (seen[index].empty())
      throw ReportError("shard " + std::to_string(index) + "/" + std::to_string(first.shard_count) +
                        " is missing (the reports given are " + std::to_string(parts.size()) + " of " +
                        std::to_string(first.shard_count) + " shards)");
}

}  // namespace

MergedReport merge_reports(std::vector<ReadReport> parts, const std::vector<std::string>& sources) {
  if (parts.empty()) throw ReportError("no reports to merge");
  check_shards(parts, sources);
  const auto earliest = std::min_element(parts.begin(), parts.end(), [](const ReadReport& a, const ReadReport& b) {
    return a.started_at_ms < b.started_at_ms;
  });
  const std::int64_t start_ms = earliest->started_at_ms;

  MergedReport out{RunStats(RunStats::Options{.keep_call_ids = false}), earliest->info, {}, 0};
  RunInfo& info = out.info;
  info.shard_index = 0;
  info.shard_count = 1;
  info.calls = 0;
  info.duration_s = 0;
  info.first_delivery_ms = -1;
  info.exit_code = -1;
  info.outputs.clear();
  for (ReadReport& part : parts) {
    const std::int64_t shift_ms = part.started_at_ms - start_ms;
    out.stats.merge(part.stats, shift_ms * 1000);
    const RunInfo& p = part.info;
    info.calls += p.calls;
    info.legs += p.legs;
    info.virtual_span_ms = std::max(info.virtual_span_ms, p.virtual_span_ms);
    info.duration_s = std::max(info.duration_s, static_cast<double>(shift_ms) / 1e3 + p.duration_s);
    if (p.first_delivery_ms >= 0 && (info.first_delivery_ms < 0 || p.first_delivery_ms < info.first_delivery_ms))
      info.first_delivery_ms = p.first_delivery_ms;
    info.peak_rss_mb = std::max(info.peak_rss_mb, p.peak_rss_mb);  // the largest shard's
    for (const std::string& target : p.targets)
      if (std::find(info.targets.begin(), info.targets.end(), target) == info.targets.end())
        info.targets.push_back(target);
    if (p.interrupted) {
      info.interrupted = true;
      out.interrupted_exit_code = std::max(out.interrupted_exit_code, p.exit_code);
    }
  }
  out.expectations = check_expectations(parts.front().expect, out.stats);
  return out;
}

}  // namespace callhook::report
