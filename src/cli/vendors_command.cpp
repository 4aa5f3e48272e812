// callhook vendors: the catalog, with each vendor's delivery defaults.
#include <iostream>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "vendors/vendor.hpp"

namespace callhook::cli {
namespace {

std::string describe_retry(const scenario::RetryPolicy& r) {
  if (r.max_attempts <= 1) return "none";
  std::string text = std::to_string(r.max_attempts - 1) + " retries";
  if (!r.backoff_ms.empty()) {
    text += " after";
    for (std::size_t i = 0; i < r.backoff_ms.size() && i + 1 < static_cast<std::size_t>(r.max_attempts); ++i)
      text += (i ? ", " : " ") + std::to_string(r.backoff_ms[i]) + " ms";
  } else {
    text += ", exponential from " + std::to_string(r.initial_ms) + " ms";
  }
  return text;
}

}  // namespace

int command_vendors(const std::vector<std::string>& args) {
  po::options_description options("options");
  po::positional_options_description positional;
  po::variables_map vm;
  if (parse_args(args, options, positional, vm,
                 "callhook vendors\n\nLists each vendor profile: events, transport, and default timeout, retries and "
                 "signature scheme."))
    return k_exit_ok;
  for (const auto& v : vendors::registry()) {
    std::cout << v.name << "  (" << v.title << ")\n";
    std::cout << "  events:     ";
    for (std::size_t i = 0; i < v.events.size(); ++i) std::cout << (i ? ", " : "") << v.events[i];
    std::cout << "\n";
    if (!v.platforms.empty()) {
      std::cout << "  platforms:  ";
      for (std::size_t i = 0; i < v.platforms.size(); ++i) std::cout << (i ? ", " : "") << v.platforms[i];
      std::cout << "\n";
    }
    std::cout << "  transport:  " << v.transport << "\n";
    std::cout << "  timeout:    " << v.defaults.timeout_ms << " ms\n";
    std::cout << "  retries:    " << describe_retry(v.defaults.retry) << "\n";
    std::cout << "  signature:  " << v.defaults.signing << " (when a secret is set)\n\n";
  }
  return k_exit_ok;
}

}  // namespace callhook::cli
