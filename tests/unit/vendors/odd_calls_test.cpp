// Every profile keeps its promises for calls at the edges: no turns, zero
// length, turns past the hang-up, odd text. Batches stay sorted, only a
// batch's last delivery blocks, bodies stay well formed.
#include <catch2/catch.hpp>

#include <algorithm>

#include "support/vendor_session.hpp"
#include "util/url.hpp"
#include "vendors/atoms.hpp"
#include "vendors/fonedynamics.hpp"
#include "vendors/voicebot.hpp"
#include "vendors/voicekit.hpp"

using namespace vtest;

namespace {

std::vector<population::Call> odd_calls() {
  std::vector<population::Call> out;
  auto base = make_call(90);

  auto silent = base;
  silent.turns.clear();
  silent.duration_ms = 0;
  out.push_back(silent);

  auto silent_transfer = base;
  silent_transfer.turns.clear();
  silent_transfer.wants_agent = true;
  out.push_back(silent_transfer);

  auto overrun = base;
  overrun.duration_ms = 5000;  // turns go on after the hang-up
  overrun.wants_agent = true;
  out.push_back(overrun);

  auto odd_text = base;
  odd_text.turns = {{"assistant", "", 0, 0},
                    {"user", "caf\xC3\xA9 \xE2\x82\xAC 5 + 5 = \"10\" & more", 100, 2000},
                    {"user", "broken \xFF\xFE bytes", 2100, 2100},
                    {"assistant", "   ", 2500, 3500}};
  odd_text.direction = "outbound";
  odd_text.custom_parameters = {{"a b", "c&d=e"}};
  out.push_back(odd_text);

  auto long_call = base;
  long_call.duration_ms = 20 * 60 * 1000;
  out.push_back(long_call);
  return out;
}

struct Profile {
  const vendors::VendorInfo* info;
  std::string config;
};

}  // namespace

TEST_CASE("profiles stay well formed for odd calls", "[vendors]") {
  const std::vector<Profile> profiles = {
      {&vendors::voicebot_info(), "{}"},
      {&vendors::voicebot_info(), R"({"insights": {"trigger_interval_sec": 1}})"},
      {&vendors::atoms_info(), "{}"},
      {&vendors::atoms_info(), R"({"format": "live"})"},
      {&vendors::fonedynamics_info(), R"({"optional_fields": "blank"})"},
      {&vendors::fonedynamics_info(), R"({"method": "GET"})"},
      {&vendors::voicekit_info(), R"({"call_started_hook": "http://127.0.0.1:3000/hook"})"},
  };
  const std::vector<Answerer> answerers = {
      [](const vendors::Delivery&) { return ok("{}"); },
      [](const vendors::Delivery&) {
        return vendors::Answer{false, 0, "", "timeout"};
      },
  };
  for (const auto& profile : profiles) {
    const auto configured = configure(*profile.info, profile.config);
    REQUIRE(configured.vendor);
    for (const auto& call : odd_calls()) {
      for (const auto& answer : answerers) {
        INFO(profile.info->name << " " << profile.config << " duration " << call.duration_ms);
        Run r;
        REQUIRE_NOTHROW(r = run(*configured.vendor, call, answer));
        REQUIRE(!r.all.empty());
        for (const auto& batch : r.batches) {
          for (std::size_t i = 0; i < batch.size(); ++i) {
            const auto& d = batch[i];
            INFO(d.event << " " << d.body);
            if (i > 0) CHECK(batch[i - 1].due_ms <= d.due_ms);
            if (i + 1 < batch.size()) CHECK_FALSE(d.blocking);
            CHECK(d.due_ms >= call.start_ms);
            CHECK(std::find(profile.info->events.begin(), profile.info->events.end(), d.event) !=
                  profile.info->events.end());
            CHECK(util::parse_url(d.url).has_value());
            CHECK_FALSE(d.call_id.empty());
            CHECK_FALSE(d.event_field.empty());
            if (d.content_type == "application/json") {
              const OJson parsed = OJson::parse(d.body, nullptr, false);
              CHECK_FALSE(parsed.is_discarded());
            } else if (d.method == "POST") {
              CHECK(d.body.find_first_of(" +\"") == std::string::npos);
            }
          }
        }
        CHECK_FALSE(r.all.back().blocking);
      }
    }
  }
}
