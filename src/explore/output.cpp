#include "explore/output.hpp"

#include <fstream>
#include <ostream>
#include <stdexcept>

namespace callhook::explore {
namespace {

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string steps_text(const std::vector<std::string>& events, const std::vector<Step>& steps) {
  std::string out;
  std::vector<bool> sent(events.size(), false);
  for (const Step& step : steps) {
    if (!out.empty()) out += " → ";
    out += events.at(step.delivery);
    if (step.copies > 1) out += " ×" + std::to_string(step.copies);
    if (step.together) out += " at once";
    if (step.lost_ack) out += " (ack lost)";
    if (sent[step.delivery]) out += " again";
    sent[step.delivery] = true;
  }
  return out;
}

std::vector<std::string> sent_events(const std::vector<std::string>& events, const std::vector<Step>& steps) {
  std::vector<std::string> out;
  for (const Step& step : steps)  // a lost acknowledgement makes the vendor send each copy once more
    for (int copy = 0; copy < step.copies * (step.lost_ack ? 2 : 1); ++copy) out.push_back(events.at(step.delivery));
  return out;
}

std::string failure_stem(const std::string& dir, const std::vector<std::string>& events, const Failure& failure) {
  std::string name;
  std::vector<bool> sent(events.size(), false);
  for (const Step& step : failure.steps) {
    if (!name.empty()) name += "-then-";
    for (const char c : events.at(step.delivery)) {
      const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      name += plain ? static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) : '-';
    }
    if (step.copies > 1) name += "-x" + std::to_string(step.copies);
    if (step.together) name += "-at-once";
    if (step.lost_ack) name += "-ack-lost";
    if (sent[step.delivery]) name += "-again";
    sent[step.delivery] = true;
  }
  if (name.size() > 80) name.resize(80);
  const std::string number = (failure.number < 10 ? "0" : "") + std::to_string(failure.number);
  return dir + "/failures/" + number + "-" + name;
}

nlohmann::ordered_json explore_json(const std::string& dir, const TrialSetup& setup, const ExploreOptions& options,
                                    const ExploreResult& result) {
  nlohmann::ordered_json doc;
  doc["scenario"] = setup.source;
  doc["target"] = setup.target;
  doc["seed"] = options.seed;
  doc["deliveries"] = result.events;
  doc["variants"] = result.variants;
  doc["variants_tried"] = result.tried;
  doc["trials"] = result.trials;
  doc["stopped_early"] = result.stopped_early;
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const Failure& f : result.failures) {
    const std::string stem = failure_stem(dir, result.events, f);
    failures.push_back({{"scenario", stem + ".json"},
                        {"journal", stem + ".jsonl"},
                        {"steps", sent_events(result.events, f.steps)},
                        {"reason", f.reason},
                        {"occurrences", f.occurrences},
                        {"flaky", f.flaky},
                        {"found_by", f.kind}});
  }
  doc["failures"] = std::move(failures);
  return doc;
}

void write_outputs(const std::string& dir, const TrialSetup& setup, const ExploreOptions& options,
                   const ExploreResult& result) {
  for (const Failure& f : result.failures) {
    const std::string stem = failure_stem(dir, result.events, f);
    nlohmann::ordered_json scenario = trial_scenario(setup, result.events, f.steps, f.seed);
    scenario["name"] = stem.substr(stem.rfind('/') + 1);
    write_file(stem + ".json", "// Found by callhook explore (" + setup.source + ", seed " +
                                   std::to_string(options.seed) + "): " + steps_text(result.events, f.steps) + ": " +
                                   f.reason + ".\n// Reproduce: callhook run " + stem + ".json\n" + scenario.dump(2) +
                                   "\n");
  }
  write_file(dir + "/explore.json", explore_json(dir, setup, options, result).dump(2) + "\n");
}

void print_summary(std::ostream& out, const std::string& dir, const TrialSetup& setup, const ExploreResult& result) {
  out << "explore " << setup.source << ": one call of " << plural(result.events.size(), "delivery", "deliveries")
      << ", " << result.tried << " of " << plural(result.variants, "variant", "variants") << " tried, "
      << plural(result.trials, "trial", "trials") << " run"
      << (result.stopped_early ? " (stopped early: --budget or --time)" : "") << "\n";
  if (result.failures.empty()) {
    out << "no failure found\n";
    return;
  }
  out << plural(result.failures.size(), "failure", "failures") << ":\n";
  for (const Failure& f : result.failures) {
    out << "  " << steps_text(result.events, f.steps) << ": " << f.reason;
    if (f.occurrences > 1) out << " (" << f.occurrences << " variants)";
    if (f.flaky) out << " [flaky]";
    out << "\n    callhook run " << failure_stem(dir, result.events, f) << ".json\n";
  }
  out << "details: " << dir << "/explore.json\n";
}

}  // namespace callhook::explore
