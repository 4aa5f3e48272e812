#pragma once
// Helpers for the vendor profile and golden tests: configure a profile from
// JSON text, run a session to its end with scripted handshake answers, read
// form bodies and queries.
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "population/call.hpp"
#include "util/json_cursor.hpp"
#include "util/url.hpp"
#include "vendors/vendor.hpp"

namespace vtest {

using namespace callhook;
using OJson = nlohmann::ordered_json;

inline const vendors::StreamContext k_context{"http://127.0.0.1:3000/hooks", "http://127.0.0.1:4000/recordings", 7};
inline constexpr const char* k_pointer = "/streams/0/vendor_config";

struct Configured {
  std::unique_ptr<vendors::Vendor> vendor;
  util::Problems problems;
  // "pointer: message" lines, for exact comparisons.
  std::vector<std::string> lines() const {
    std::vector<std::string> out;
    for (const auto& p : problems.list()) out.push_back(p.pointer + ": " + p.message);
    return out;
  }
};

inline Configured configure(const vendors::VendorInfo& info, const std::string& config_text,
                            const vendors::StreamContext& context = k_context) {
  Configured out;
  const util::Json config = util::Json::parse(config_text);
  out.vendor = info.configure(util::Cursor(&config, k_pointer, out.problems), context, out.problems);
  return out;
}

// A profile configured from `config_text`, which must have no problems.
inline std::unique_ptr<vendors::Vendor> configured(const vendors::VendorInfo& info,
                                                   const std::string& config_text = "{}") {
  auto c = configure(info, config_text);
  INFO(c.problems.format("scenario"));
  REQUIRE(c.vendor);
  return std::move(c.vendor);
}

inline population::Call make_call(std::uint64_t seed, std::int64_t duration_ms = 95300) {
  population::Call call;
  call.seed = seed;
  call.index = seed;
  call.start_ms = 1752666057000 + static_cast<std::int64_t>(seed) * 1000;
  call.duration_ms = duration_ms;
  call.user_number = "+14155550123";
  call.agent_number = "+17782006110";
  call.turns = {{"assistant", "Hello! How may I help you?", 0, 2500},
                {"user", "I want to check my order status please", 3200, 6500},
                {"assistant", "Sure, what is your order number?", 7100, 9000},
                {"user", "It is one two three four five", 9600, 12000}};
  return call;
}

using Answerer = std::function<vendors::Answer(const vendors::Delivery&)>;

inline vendors::Answer ok(std::string body) { return {true, 200, std::move(body), ""}; }

struct Run {
  std::vector<std::vector<vendors::Delivery>> batches;
  std::vector<vendors::Delivery> all;
  std::vector<vendors::Finding> findings;
};

// Runs a session to its end, answering each blocking delivery with `answer`.
inline Run run(const vendors::Vendor& vendor, const population::Call& call, const Answerer& answer = {}) {
  Run out;
  auto session = vendor.open(call);
  auto batch = session->start();
  for (int guard = 0; guard < 10 && !batch.empty(); ++guard) {
    out.batches.push_back(batch);
    out.all.insert(out.all.end(), batch.begin(), batch.end());
    if (!batch.back().blocking) break;
    const vendors::Answer a = answer ? answer(batch.back()) : ok("");
    batch = session->resume(batch.back(), a, out.findings);
  }
  return out;
}

inline std::vector<vendors::Delivery> of_event(const Run& r, const std::string& event) {
  std::vector<vendors::Delivery> out;
  for (const auto& d : r.all)
    if (d.event == event) out.push_back(d);
  return out;
}

using Params = std::vector<std::pair<std::string, std::string>>;

inline Params parse_form(const std::string& encoded) { return util::form_params(encoded); }

// A form delivery's parameters: its query for a GET, else its body.
inline Params params_of(const vendors::Delivery& d) {
  if (d.method == "GET") return parse_form(d.url.substr(d.url.find('?') + 1));
  return parse_form(d.body);
}

// The value of a parameter, or "<absent>".
inline std::string param(const Params& params, const std::string& name) {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return "<absent>";
}

}  // namespace vtest
