// callhook sample: one realistic payload, exactly as it would be sent.
#include <chrono>
#include <iostream>

#include "cli/cli.hpp"
#include "cli/one_event.hpp"
#include "cli/options.hpp"

namespace callhook::cli {

int command_sample(const std::vector<std::string>& args) {
  const Help help{
      "sample",
      "callhook sample VENDOR EVENT [--headers] [--secret S] [--seed N] [--set POINTER=VALUE]...\n"
      "                             [--add POINTER=VALUE]... [--platform P] [--direction inbound|outbound]\n"
      "                             [--config JSON]",
      "Prints the body of one EVENT webhook of a synthetic call, exactly as callhook would send it\n"
      "(for GET deliveries, the URL with its query). --headers prints the request line and headers\n"
      "first, with the vendor's signature when --secret is given. Nothing is sent (callhook trigger\n"
      "sends). --set changes a field the payload has; --add adds one.\n" +
          std::string(run::k_value_typing),
      "  callhook sample voicebot session_start\n"
      "  callhook sample voiceflow runtime.call.end --set /data/endReason=twiml\n"
      "  callhook sample atoms analytics.completed --headers --secret whsec_test"};
  EventFlags flags;
  bool headers = false;
  po::options_description options("options");
  options.add_options()("vendor", po::value(&flags.vendor)->value_name("VENDOR")->required(), "vendor")(
      "event", po::value(&flags.event)->value_name("EVENT")->required(), "event name")(
      "headers", po::bool_switch(&headers), "also print the request line and headers");
  flags.add_options(options);
  po::positional_options_description positional;
  positional.add("vendor", 1).add("event", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, help)) return k_exit_ok;

  auto one = make_one_event(flags, "http://127.0.0.1:8080/webhooks", std::nullopt);
  if (!one) return k_exit_bad_input;
  const vendors::Delivery& d = one->delivery;
  if (headers) {
    std::cout << d.method << " " << d.url << "\n";
    const auto now_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    for (const auto& [name, value] : one->headers(now_ms)) std::cout << name << ": " << value << "\n";
    std::cout << "\n";
    if (d.method != "GET") std::cout << d.body << "\n";
    const std::string_view recordings = run::k_sample_recordings_url;
    if (d.url.find(recordings) != std::string::npos || d.body.find(recordings) != std::string::npos)
      std::cerr << "note: recording URLs point at " << recordings
                << ", where nothing listens; callhook trigger serves them while it runs (--recordings-hold S\n"
                   "      keeps them longer), callhook run for the run (docs/vendors.md#recordings)\n";
    return k_exit_ok;
  }
  std::cout << (d.method == "GET" ? d.url : d.body) << "\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
