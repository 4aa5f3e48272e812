#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "engine/min_heap.hpp"
#include "util/rng.hpp"

using callhook::engine::MinHeap;

namespace {
struct Keyed {
  std::int64_t key;
  std::uint64_t order;  // ties on key go by order
  bool operator>(const Keyed& o) const { return key != o.key ? key > o.key : order > o.order; }
};
}  // namespace

TEST_CASE("the min-heap gives values back in order, ties by the second key", "[engine][min_heap]") {
  callhook::util::Rng rng(7);
  MinHeap<Keyed> heap;
  std::vector<Keyed> all;
  // Pushes and pops interleaved, as the engine does, with many equal keys.
  std::vector<Keyed> popped;
  for (std::uint64_t i = 0; i < 5000; ++i) {
    const Keyed k{static_cast<std::int64_t>(rng.next() % 300), i};
    heap.push(k);
    all.push_back(k);
    if (i % 3 == 2) {
      popped.push_back(heap.top());
      heap.pop();
    }
  }
  CHECK(heap.size() == all.size() - popped.size());
  // Each pop took the least value present at that moment: the popped ones and
  // the rest drained afterwards are each in order.
  std::vector<Keyed> rest;
  while (!heap.empty()) {
    rest.push_back(heap.top());
    heap.pop();
  }
  const auto less = [](const Keyed& a, const Keyed& b) { return b > a; };
  CHECK(std::is_sorted(rest.begin(), rest.end(), less));
  // Everything pushed came out exactly once.
  std::vector<Keyed> out = popped;
  out.insert(out.end(), rest.begin(), rest.end());
  std::sort(out.begin(), out.end(), less);
  std::sort(all.begin(), all.end(), less);
  REQUIRE(out.size() == all.size());
  for (std::size_t i = 0; i < all.size(); ++i) CHECK((out[i].key == all[i].key && out[i].order == all[i].order));
}

TEST_CASE("the min-heap's top is the least value after every push", "[engine][min_heap]") {
  MinHeap<Keyed> heap;
  CHECK(heap.empty());
  for (std::int64_t k : {50, 20, 80, 20, 10, 90, 10}) {
    heap.push({k, static_cast<std::uint64_t>(heap.size())});
  }
  CHECK(heap.top().key == 10);
  CHECK(heap.top().order == 4);  // the first 10 pushed
  heap.pop();
  CHECK(heap.top().key == 10);
  CHECK(heap.top().order == 6);
  heap.pop();
  CHECK(heap.top().key == 20);
}
