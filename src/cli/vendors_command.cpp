// callhook vendors: the catalog, with each vendor's delivery defaults, its
// events and its vendor_config keys (read from the compiled-in docs).
#include <iostream>

#include "cli/cli.hpp"
#include "cli/human_text.hpp"
#include "cli/options.hpp"
#include "cli/vendors_doc.hpp"
#include "util/json_cursor.hpp"
#include "vendors/vendor.hpp"

namespace callhook::cli {
namespace {

std::string describe_retry(const scenario::RetryPolicy& r) {
  if (r.max_attempts <= 1) return "none";
  const int retries = r.max_attempts - 1;
  std::string text = std::to_string(retries) + (retries == 1 ? " retry" : " retries");
  if (!r.backoff_ms.empty()) {
    text += ", waiting";
    for (std::size_t i = 0; i < static_cast<std::size_t>(retries); ++i)
      text += (i ? ", " : " ") + human_duration_ms(r.backoff_ms[std::min(i, r.backoff_ms.size() - 1)]);
  } else {
    text += ", exponential from " + human_duration_ms(r.initial_ms);
  }
  return text;
}

std::string describe_signature(const std::string& scheme) {
  if (scheme.empty() || scheme == "none")
    return "unsigned (the vendor does not sign; to sign anyway give delivery.signing a scheme and a secret)";
  return "unsigned without a secret; with delivery.signing.secret (or --secret): " + scheme;
}

util::Json retry_json(const scenario::RetryPolicy& r) {
  util::Json j = {{"max_attempts", r.max_attempts}};
  if (!r.backoff_ms.empty())
    j["backoff_ms"] = r.backoff_ms;
  else
    j["exponential"] = {{"initial_ms", r.initial_ms}, {"multiplier", r.multiplier}, {"max_ms", r.max_ms}};
  return j;
}

util::Json vendor_json(const vendors::VendorInfo& v) {
  util::Json config = util::Json::array();
  for (const auto& k : vendor_config_keys(vendors_doc(), v.name))
    config.push_back({{"key", k.key}, {"type", k.type}, {"default", k.default_value}, {"meaning", k.meaning}});
  return {{"name", v.name},
          {"title", v.title},
          {"events", v.events},
          {"events_note", v.events_note},
          {"platforms", v.platforms},
          {"transport", v.transport},
          {"timeout_ms", v.defaults.timeout_ms},
          {"retry", retry_json(v.defaults.retry)},
          {"signing", v.defaults.signing},
          {"vendor_config", config}};
}

std::string join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) text += (text.empty() ? "" : ", ") + item;
  return text;
}

void print_vendor(const vendors::VendorInfo& v, bool details) {
  std::cout << v.name << "  (" << v.title << ")\n";
  std::cout << "  events:     " << join(v.events) << "\n";
  if (!v.events_note.empty()) std::cout << "              " << v.events_note << "\n";
  if (!v.platforms.empty()) std::cout << "  platforms:  " << join(v.platforms) << " (first = default)\n";
  std::cout << "  transport:  " << v.transport << "\n";
  std::cout << "  timeout:    " << human_duration_ms(v.defaults.timeout_ms) << "\n";
  std::cout << "  retries:    " << describe_retry(v.defaults.retry) << "\n";
  std::cout << "  signature:  " << describe_signature(v.defaults.signing) << "\n";
  if (!details) {
    std::cout << "\n";
    return;
  }
  std::cout << "  vendor_config keys (all optional; docs/vendors.md has the details):\n";
  for (const auto& k : vendor_config_keys(vendors_doc(), v.name))
    std::cout << "    " << k.key << "  " << k.type << "; default " << k.default_value << "\n"
              << (k.meaning.empty() ? "" : "        " + k.meaning + "\n");
}

}  // namespace

int command_vendors(const std::vector<std::string>& args) {
  const Help help{"vendors", "callhook vendors [VENDOR] [--json]",
                  "Lists each vendor profile: events, platforms, transport, default timeout, retries and\n"
                  "signature. With VENDOR, also every vendor_config key with its type and default. The\n"
                  "defaults apply unless the scenario's \"delivery\" block says otherwise.",
                  "  callhook vendors\n"
                  "  callhook vendors voicebot\n"
                  "  callhook vendors --json"};
  std::string name;
  bool json = false;
  po::options_description options("options");
  options.add_options()("vendor", po::value(&name)->value_name("VENDOR"), "one vendor, with its vendor_config keys")(
      "json", po::bool_switch(&json), "print JSON (every vendor's details)");
  po::positional_options_description positional;
  positional.add("vendor", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, help)) return k_exit_ok;

  std::vector<const vendors::VendorInfo*> chosen;
  if (!name.empty()) {
    const auto* v = vendors::find_vendor(name);
    if (!v) {
      std::vector<std::string> names;
      for (const auto& info : vendors::registry()) names.push_back(info.name);
      const std::string guess = util::did_you_mean(name, names);
      throw UsageError("no vendor \"" + name + "\"" + (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)") +
                       "; vendors: " + join(names));
    }
    chosen.push_back(v);
  } else {
    for (const auto& v : vendors::registry()) chosen.push_back(&v);
  }
  if (json) {
    util::Json out = util::Json::array();
    for (const auto* v : chosen) out.push_back(vendor_json(*v));
    std::cout << (name.empty() ? out : out[0]).dump(2) << "\n";
    return k_exit_ok;
  }
  for (const auto* v : chosen) print_vendor(*v, !name.empty());
  if (name.empty()) std::cout << "callhook vendors VENDOR adds the vendor's vendor_config keys.\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
