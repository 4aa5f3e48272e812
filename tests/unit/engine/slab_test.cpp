#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/slots.hpp"

using callhook::engine::Slab;

TEST_CASE("a slab keeps values at their index across chunks and reuses released slots", "[engine][slab]") {
  Slab<std::string> slab;
  const std::uint32_t n = 2 * Slab<std::string>::k_chunk + 5;  // three chunks
  std::vector<std::string*> where;
  for (std::uint32_t i = 0; i < n; ++i) {
    const std::uint32_t at = slab.add();
    REQUIRE(at == i);
    slab[at] = "value " + std::to_string(i);
    where.push_back(&slab[at]);
  }
  CHECK(slab.size() == n);
  // Growing never moved a value: the addresses taken early still hold them.
  for (std::uint32_t i = 0; i < n; i += 97) {
    CHECK(where[i] == &slab[i]);
    CHECK(slab[i] == "value " + std::to_string(i));
  }
  // A released slot is reset, then handed out again before the slab grows.
  slab.release(7);
  CHECK(slab[7].empty());
  CHECK(slab.add() == 7);
  CHECK(slab[7].empty());
  CHECK(slab.add() == n);
  CHECK(slab.size() == n + 1);
}
