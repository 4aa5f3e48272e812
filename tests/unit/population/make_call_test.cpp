// make_call: each call drawn from the stream's settings, deterministically.
#include <algorithm>
#include <cmath>
#include <functional>
#include <set>

#include <catch2/catch.hpp>

#include "population/conversation.hpp"
#include "population/population.hpp"
#include "test_scenarios.hpp"

using namespace callhook::population;
using namespace callhook::population::testing;
using Kind = callhook::scenario::Distribution::Kind;

namespace {

callhook::scenario::Scenario with(const std::function<void(callhook::scenario::Calls&)>& set) {
  auto calls = calls_with(constant(1), 1);
  set(calls);
  return one_stream(calls);
}

}  // namespace

TEST_CASE("a call carries its identity and the stream's settings", "[population][call]") {
  const auto s = with([](auto& c) {
    c.country = "44";
    c.custom_parameters = {{"tier", "gold"}};
  });
  const Call call = make_call(s, 0, 41, 1752666060000);
  CHECK(call.stream == 0);
  CHECK(call.index == 41);
  CHECK(call.alias.empty());
  CHECK(call.seed == callhook::util::derive(7, 0, 41, "call"));
  CHECK(call.start_ms == 1752666060000);
  CHECK(call.end_ms() == call.start_ms + call.duration_ms);
  CHECK(call.country == "44");
  CHECK(call.user_number.rfind("+447", 0) == 0);
  CHECK(call.agent_number.rfind("+447", 0) == 0);
  CHECK(call.user_number != call.agent_number);
  CHECK(call.platform.empty());
  CHECK(call.direction == "inbound");
  CHECK(call.custom_parameters == std::map<std::string, std::string>{{"tier", "gold"}});
  CHECK_FALSE(call.wants_agent);
  CHECK(call.return_after_ms == -1);
}

TEST_CASE("durations come from the distribution, at least one second", "[population][call]") {
  struct Row {
    callhook::scenario::Distribution d;
    std::int64_t expected_ms;
  };
  const std::vector<Row> table = {
      {{Kind::Fixed, 90, 0}, 90000},    {{Kind::Fixed, 0.2, 0}, 1000},  {{Kind::Fixed, 0, 0}, 1000},
      {{Kind::Fixed, 1.2345, 0}, 1235}, {{Kind::Normal, -50, 0}, 1000},
  };
  for (const auto& row : table) {
    CAPTURE(row.d.a);
    const auto s = with([&](auto& c) { c.duration_s = row.d; });
    CHECK(make_call(s, 0, 0, 0).duration_ms == row.expected_ms);
  }
  const auto s = with([](auto& c) { c.duration_s = {Kind::Uniform, 40, 240}; });
  double sum = 0;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const auto ms = make_call(s, 0, i, 0).duration_ms;
    REQUIRE(ms >= 40000);
    REQUIRE(ms <= 240000);
    sum += static_cast<double>(ms);
  }
  CHECK(sum / 5000 == Approx(140000).epsilon(0.02));
}

TEST_CASE("turn counts come from the distribution, clamped to what the call holds", "[population][call]") {
  struct Row {
    double turns, duration_s;
    std::size_t expected;
  };
  const std::vector<Row> table = {
      {4, 60, 4}, {1, 60, 1}, {0, 60, 1}, {2.6, 60, 3}, {10000, 60, 60000 / k_min_turn_ms}, {10000, 3600, k_max_turns},
  };
  for (const auto& row : table) {
    CAPTURE(row.turns, row.duration_s);
    const auto s = with([&](auto& c) {
      c.turns = callhook::scenario::Distribution::fixed(row.turns);
      c.duration_s = callhook::scenario::Distribution::fixed(row.duration_s);
    });
    CHECK(make_call(s, 0, 0, 0).turns.size() == row.expected);
  }
}

TEST_CASE("turns alternate from a bot greeting and fit the call without overlap", "[population][call]") {
  const auto s = with([](auto& c) {
    c.turns = {Kind::Uniform, 1, 30};
    c.duration_s = {Kind::Exponential, 40, 0};
    c.transfer_p = 0.3;
  });
  std::set<std::string> texts;
  for (std::uint64_t i = 0; i < 2000; ++i) {
    const Call call = make_call(s, 0, i, 0);
    REQUIRE_FALSE(call.turns.empty());
    for (std::size_t t = 0; t < call.turns.size(); ++t) {
      const Turn& turn = call.turns[t];
      CAPTURE(i, t);
      CHECK(turn.speaker == (t % 2 == 0 ? "assistant" : "user"));
      CHECK_FALSE(turn.text.empty());
      CHECK(turn.start_ms >= 0);
      CHECK(turn.end_ms >= turn.start_ms);
      CHECK(turn.end_ms <= call.duration_ms);
      if (t > 0) CHECK(turn.start_ms >= call.turns[t - 1].end_ms);
      texts.insert(turn.text);
    }
  }
  CHECK(texts.size() > 40);  // a varied phrase list, not one line repeated
}

TEST_CASE("turns last as long as their words take and spread over the call", "[population][call]") {
  const auto s = with([](auto& c) {
    c.turns = callhook::scenario::Distribution::fixed(8);
    c.duration_s = callhook::scenario::Distribution::fixed(120);
  });
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Call call = make_call(s, 0, i, 0);
    REQUIRE(call.turns.size() == 8);
    for (const auto& turn : call.turns) {
      CAPTURE(i, turn.text);
      const auto words = static_cast<double>(std::count(turn.text.begin(), turn.text.end(), ' ') + 1);
      const auto length = static_cast<double>(turn.end_ms - turn.start_ms);
      // Eight turns in two minutes leave every turn room for its words.
      CHECK(length >= words * k_ms_per_word_min + k_speech_lead_ms - 1);
      CHECK(length <= words * k_ms_per_word_max + k_speech_lead_ms);
    }
    CHECK(call.turns.back().start_ms > call.duration_ms / 2);
  }
}

TEST_CASE("a call repeats no line while its topic has others", "[population][call]") {
  const auto s = with([](auto& c) { c.turns = callhook::scenario::Distribution::fixed(6); });
  for (std::uint64_t i = 0; i < 500; ++i) {
    const Call call = make_call(s, 0, i, 0);
    std::set<std::string> seen;
    for (const auto& turn : call.turns) CHECK(seen.insert(turn.text).second);
  }
}

TEST_CASE("a caller who wants an agent asks for one last", "[population][call]") {
  const auto s = with([](auto& c) {
    c.transfer_p = 1;
    c.turns = {Kind::Uniform, 2, 12};
  });
  const auto wanting = with([](auto& c) { c.turns = {Kind::Uniform, 2, 12}; });
  for (std::uint64_t i = 0; i < 200; ++i) {
    const Call asks = make_call(s, 0, i, 0);
    const Call plain = make_call(wanting, 0, i, 0);
    REQUIRE(asks.wants_agent);
    // Same call otherwise: only the closing lines differ.
    REQUIRE(asks.turns.size() == plain.turns.size());
    const std::size_t last_user = asks.turns.size() % 2 == 0 ? asks.turns.size() - 1 : asks.turns.size() - 2;
    CHECK(asks.turns[last_user].speaker == "user");
    CHECK(asks.turns[last_user].text != plain.turns[last_user].text);
    CHECK(asks.turns[0].text == plain.turns[0].text);
  }
}

TEST_CASE("mixes and probabilities hold over many calls", "[population][call]") {
  const auto s = with([](auto& c) {
    c.direction = {{"inbound", 0.7}, {"outbound", 0.3}};
    c.platform = {{"twilio", 3}, {"web", 1}, {"vonage", 0}};
    c.transfer_p = 0.2;
    c.return_p = 0.1;
  });
  const int n = 20000;
  int inbound = 0, twilio = 0, web = 0, vonage = 0, agent = 0, returns = 0;
  for (std::uint64_t i = 0; i < n; ++i) {
    const Call call = make_call(s, 0, i, 0);
    inbound += call.direction == "inbound";
    twilio += call.platform == "twilio";
    web += call.platform == "web";
    vonage += call.platform == "vonage";
    agent += call.wants_agent;
    if (call.return_after_ms >= 0) {
      ++returns;
      CHECK(call.return_after_ms >= 3000);
      CHECK(call.return_after_ms <= 60000);
      CHECK(call.return_duration_ms >= 1000);
    }
  }
  CHECK(inbound / double(n) == Approx(0.7).margin(0.015));
  CHECK(twilio / double(n) == Approx(0.75).margin(0.015));
  CHECK(web / double(n) == Approx(0.25).margin(0.015));
  CHECK(vonage == 0);
  CHECK(agent / double(n) == Approx(0.2).margin(0.015));
  CHECK(returns / double(n) == Approx(0.1).margin(0.01));
}

TEST_CASE("phone numbers follow the country", "[population][call]") {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"1", "+1"}, {"44", "+447"}, {"61", "+614"}, {"91", "+91"}};
  for (const auto& [country, prefix] : table) {
    CAPTURE(country);
    const auto s = with([&](auto& c) { c.country = country; });
    const Call call = make_call(s, 0, 5, 0);
    CHECK(call.user_number.rfind(prefix, 0) == 0);
    CHECK(call.agent_number.rfind(prefix, 0) == 0);
  }
}

TEST_CASE("a setting changes only its own aspect of a call", "[population][call]") {
  const auto base = with([](auto&) {});
  const auto changed = with([](auto& c) { c.platform = {{"twilio", 1}}; });
  const Call a = make_call(base, 0, 9, 0), b = make_call(changed, 0, 9, 0);
  CHECK(a.platform != b.platform);
  CHECK(a.duration_ms == b.duration_ms);
  CHECK(a.user_number == b.user_number);
  CHECK(a.turns.size() == b.turns.size());
  CHECK(a.turns[0].text == b.turns[0].text);
}

TEST_CASE("script calls are seeded apart from generated calls", "[population][call]") {
  const auto s = with([](auto&) {});
  const Call generated = make_call(s, 0, 0, 100);
  const Call scripted = make_script_call(s, 0, "A", 0, 100);
  CHECK(scripted.alias == "A");
  CHECK(scripted.index == 0);
  CHECK(scripted.start_ms == 100);
  CHECK(scripted.seed != generated.seed);
  CHECK(scripted.user_number != generated.user_number);
  const Call again = make_script_call(s, 0, "A", 0, 100);
  CHECK(again.seed == scripted.seed);
  CHECK(again.user_number == scripted.user_number);
  CHECK(make_script_call(s, 0, "B", 1, 100).seed != scripted.seed);
}

TEST_CASE("a call made without turns is the same call with no conversation", "[population][call]") {
  const auto s = with([](auto& c) {
    c.return_p = 0.5;
    c.transfer_p = 0.5;
    c.custom_parameters = {{"tier", "gold"}};
  });
  for (std::uint64_t index = 0; index < 50; ++index) {
    INFO("call " << index);
    const Call whole = make_call(s, 0, index, 1752666060000);
    const Call bare = make_call(s, 0, index, 1752666060000, false);
    CHECK_FALSE(whole.turns.empty());
    CHECK(bare.turns.empty());
    CHECK(bare.seed == whole.seed);
    CHECK(bare.duration_ms == whole.duration_ms);
    CHECK(bare.user_number == whole.user_number);
    CHECK(bare.agent_number == whole.agent_number);
    CHECK(bare.direction == whole.direction);
    CHECK(bare.platform == whole.platform);
    CHECK(bare.wants_agent == whole.wants_agent);
    CHECK(bare.return_after_ms == whole.return_after_ms);
    CHECK(bare.return_duration_ms == whole.return_duration_ms);
    CHECK(bare.custom_parameters == whole.custom_parameters);
  }
}
