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
  // 1 planned + 4 duplicates + 23 other orders.
  REQUIRE(variants.size() == 28);
  CHECK(variants[0].kind == "planned");
  CHECK(variant_key(k_voiceflow, variants[0].steps) ==
        "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end");
  CHECK(variants[1].kind == "duplicate");
  CHECK(variant_key(k_voiceflow, variants[1].steps) ==
        "runtime.call.start*2,runtime.session.start,runtime.call.end,runtime.session.end");
  CHECK(variant_key(k_voiceflow, variants[4].steps) ==
        "runtime.call.start,runtime.session.start,runtime.call.end,runtime.session.end*2");
  std::set<std::string> keys;
  for (const Variant& v : variants) {
    CHECK(sends_every_delivery(v, 4));
    CHECK(keys.insert(variant_key(k_voiceflow, v.steps)).second);
  }
  CHECK(variants.back().kind == "order");
}

TEST_CASE("variants: sizes by call length", "[explore]") {
  struct Row {
    std::size_t n;
    std::size_t expected;
  };
  // n! orders (the planned one among them) plus n duplicates.
  for (const Row row : {Row{1, 2}, Row{2, 4}, Row{3, 9}, Row{5, 125}, Row{6, 726}}) {
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
  REQUIRE(variants.size() == 32);
  for (std::size_t i = 28; i < 32; ++i) {
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
    CHECK(variants.size() < 1 + n + 10 * n);  // a sample, not n!
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
