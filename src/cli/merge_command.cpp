// callhook merge: the shards of one run joined into the whole run.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "journal/merge.hpp"
#include "journal/reader.hpp"

namespace callhook::cli {

int command_merge(const std::vector<std::string>& args) {
  const Help help{"merge", "callhook merge --journal OUT JOURNAL...",
                  "Joins the journals of a sharded run (run --shard I/N, one journal per shard) into one journal\n"
                  "of the whole run, in wall-time order, for replay. Every shard of the same scenario, seed and\n"
                  "shard count must be given exactly once.",
                  "  callhook merge --journal whole.jsonl journal-0.jsonl journal-1.jsonl journal-2.jsonl\n"
                  "  callhook replay whole.jsonl --speed max"};
  std::string journal_out;
  std::vector<std::string> inputs;
  po::options_description options("options");
  options.add_options()("journal", po::value(&journal_out)->value_name("OUT")->required(),
                        "write the merged journal to OUT")(
      "inputs", po::value(&inputs)->value_name("JOURNAL"), "the shards' journals");
  po::positional_options_description positional;
  positional.add("inputs", -1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, help)) return k_exit_ok;
  if (inputs.empty()) throw UsageError("merge: name the shards' journals");
  if (dry_run()) return k_exit_ok;
  try {
    const auto summary = journal::merge_journals(inputs, journal_out);
    std::cerr << "merged " << summary.shards << " shards, " << summary.records << " records into " << journal_out
              << "\n";
    if (!summary.ended)
      std::cerr << "warning: a shard's journal has no end record (its run was cut short); the merged journal has "
                   "none either\n";
  } catch (const journal::JournalError& e) {
    std::cerr << "callhook: error: " << e.what() << "\n";
    return k_exit_bad_input;
  }
  return k_exit_ok;
}

}  // namespace callhook::cli
