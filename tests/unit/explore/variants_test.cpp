#include <catch2/catch.hpp>
#include <set>

#include "explore/variants.hpp"

using namespace callhook::explore;

namespace {

const std::vector<std::string> k_voiceflow = {"runtime.call.start", "runtime.session.start", "runtime.call.end",
                                              "runtime.session.end"};

std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> out;
  for (std::size_t i = 0; i < n; ++i) out.push_back("e" + std::to_string(i));
  return out;
}

// Every delivery of the call is sent at least once.
bool sends_every_delivery(const Variant& v, std::size_t n) {
  std::set<std::size_t> sent;
  for (const Step& s : v.steps) sent.insert(s.delivery);
  return sent.size() == n;
}

}  // namespace

TEST_CASE("variants: the planned order, each duplicate, then every order", "[explore]") {
  const auto variants = make_variants(k_voiceflow, {});
  // 1 planned + 4 back to back + 4 at once + 3 after the call (the last
  // delivery again after itself is back to back) + 23 other orders.
  REQUIRE(variants.size() == 35);
  CHECK(variants[0].kind == "planned");
  CHECK(variant_key(k_voiceflow, variants[0].steps) ==
        "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end");
  CHECK(variants[1].kind == "duplicate");
  CHECK(variant_key(k_voiceflow, variants[1].steps) ==
        "runtime.call.start*2,runtime.session.start,runtime.call.end,runtime.session.end");
  CHECK(variant_key(k_voiceflow, variants[4].steps) ==
        "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end*2");
  CHECK(variants[5].kind == "together");
  CHECK(variant_key(k_voiceflow, variants[5].steps) ==
        "runtime.call.start*2 together,runtime.session.start,runtime.call.end,runtime.session.end");
  CHECK(variants[9].kind == "after_call");
  CHECK(variant_key(k_voiceflow, variants[9].steps) ==
        "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end,runtime.call.start again");
  CHECK(variants[11].kind == "after_call");
  CHECK(variants[12].kind == "order");
  std::set<std::string> keys;
  for (const Variant& v : variants) {
    CHECK(sends_every_delivery(v, 4));
    CHECK(v.steps == canonical(v.steps));
    CHECK(keys.insert(variant_key(k_voiceflow, v.steps)).second);
  }
  CHECK(variants.back().kind == "order");
}

TEST_CASE("variants: a lost ack for each delivery whose event is retried", "[explore]") {
  VariantOptions options;
  options.lost_ack = {true, false, true, true};
  const auto variants = make_variants(k_voiceflow, options);
  REQUIRE(variants.size() == 38);
  std::vector<std::string> lost;
  for (const Variant& v : variants) {
    CHECK(sends_every_delivery(v, 4));
    if (v.kind == "lost_ack") lost.push_back(variant_key(k_voiceflow, v.steps));
  }
  CHECK(lost == std::vector<std::string>{
                    "runtime.call.start lost_ack,runtime.session.start,runtime.call.end,runtime.session.end",
                    "runtime.call.start,runtime.session.start,runtime.call.end lost_ack,runtime.session.end",
                    "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end lost_ack"});
  CHECK(variants[12].kind == "lost_ack");
}

TEST_CASE("variants: the canonical form of steps that send the same", "[explore]") {
  struct Row {
    std::vector<Step> steps;
    std::vector<Step> canonical;
  };
  const std::vector<Row> rows = {
      // Sent again right after itself: one step, more copies.
      {{{0, 1}, {0, 2}, {1, 1}}, {{0, 3}, {1, 1}}},
      // Not when either has a flag: a lost ack or copies at once stay apart.
      {{{0, 1, false, true}, {0, 1}}, {{0, 1, false, true}, {0, 1}}},
      {{{0, 2, true, false}, {0, 1}}, {{0, 2, true, false}, {0, 1}}},
      // Together needs two copies.
      {{{0, 1, true, false}, {1, 1}}, {{0, 1}, {1, 1}}},
      // Apart, a delivery sent again stays a step of its own.
      {{{0, 1}, {1, 1}, {0, 1}}, {{0, 1}, {1, 1}, {0, 1}}},
  };
  for (const Row& row : rows) {
    INFO(variant_key(names(2), row.steps));
    CHECK(canonical(row.steps) == row.canonical);
  }
}

TEST_CASE("variants: sizes by call length", "[explore]") {
  struct Row {
    std::size_t n;
    std::size_t expected;
  };
  // n! orders (the planned one among them), n duplicates back to back, n at
  // once, n - 1 after the call.
  for (const Row row : {Row{1, 3}, Row{2, 7}, Row{3, 14}, Row{5, 134}, Row{6, 737}}) {
    INFO("deliveries " << row.n);
    CHECK(make_variants(names(row.n), {}).size() == row.expected);
  }
}

TEST_CASE("variants: orders that name the same events twice are tried once", "[explore]") {
  // Two legs of one session: a script cannot tell the two starts apart.
  const std::vector<std::string> legs = {"start", "end", "start", "end"};
  const auto variants = make_variants(legs, {});
  std::size_t orders = 0;
  for (const Variant& v : variants) orders += v.kind == "order" || v.kind == "planned";
  CHECK(orders == 6);  // 4! / (2! 2!)
}

TEST_CASE("variants: drops only when asked", "[explore]") {
  VariantOptions options;
  options.drops = true;
  const auto variants = make_variants(k_voiceflow, options);
  REQUIRE(variants.size() == 39);
  for (std::size_t i = 35; i < 39; ++i) {
    CHECK(variants[i].kind == "drop");
    CHECK(variants[i].steps.size() == 3);
  }
}

TEST_CASE("variants: long calls get a seeded sample covering every pair both ways", "[explore]") {
  for (const std::size_t n : {7u, 9u, 12u}) {
    INFO("deliveries " << n);
    const auto variants = make_variants(names(n), {});
    std::vector<std::vector<bool>> before(n, std::vector<bool>(n, false));
    for (const Variant& v : variants) {
      REQUIRE(sends_every_delivery(v, n));
      for (std::size_t i = 0; i < v.steps.size(); ++i)
        for (std::size_t j = i + 1; j < v.steps.size(); ++j) before[v.steps[i].delivery][v.steps[j].delivery] = true;
    }
    for (std::size_t a = 0; a < n; ++a)
      for (std::size_t b = 0; b < n; ++b) CHECK((a == b || before[a][b]));
    CHECK(variants.size() < 3 * n + 10 * n);  // a sample, not n!
  }
}

TEST_CASE("variants: one seed, one list; another seed, another sample", "[explore]") {
  VariantOptions a, b;
  a.seed = 5;
  b.seed = 6;
  const auto first = make_variants(names(8), a);
  const auto again = make_variants(names(8), a);
  const auto other = make_variants(names(8), b);
  REQUIRE(first.size() == again.size());
  for (std::size_t i = 0; i < first.size(); ++i) CHECK(first[i].steps == again[i].steps);
  bool differs = first.size() != other.size();
  for (std::size_t i = 0; !differs && i < first.size(); ++i) differs = !(first[i].steps == other[i].steps);
  CHECK(differs);
}
