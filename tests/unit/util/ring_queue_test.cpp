#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "util/ring_queue.hpp"

using callhook::util::RingQueue;

TEST_CASE("a ring queue gives values back in the order they came", "[util][ring_queue]") {
  RingQueue<std::string> q;
  CHECK(q.empty());
  for (int i = 0; i < 20; ++i) q.push_back("v" + std::to_string(i));  // past the first growth
  CHECK(q.size() == 20);
  for (int i = 0; i < 20; ++i) {
    CHECK(q.front() == "v" + std::to_string(i));
    q.pop_front();
  }
  CHECK(q.empty());
}

TEST_CASE("a ring queue wraps around and keeps its order when it grows mid-wrap", "[util][ring_queue]") {
  RingQueue<int> q;
  int next_in = 0, next_out = 0;
  // Keep about 5 values in a queue of 8 slots, moving the head around the ring.
  for (int round = 0; round < 30; ++round) {
    while (q.size() < 5) q.push_back(next_in++);
    for (int k = 0; k < 3; ++k) {
      CHECK(q.front() == next_out++);
      q.pop_front();
    }
  }
  CHECK(q.capacity() == 8);  // reused, never grown
  // Now grow while the values wrap past the end of the array.
  while (q.size() < 13) q.push_back(next_in++);
  CHECK(q.capacity() == 16);
  while (!q.empty()) {
    CHECK(q.front() == next_out++);
    q.pop_front();
  }
  CHECK(next_out == next_in);
}

TEST_CASE("a ring queue holds move-only values", "[util][ring_queue]") {
  RingQueue<std::unique_ptr<int>> q;
  for (int i = 0; i < 10; ++i) q.push_back(std::make_unique<int>(i));
  for (int i = 0; i < 10; ++i) {
    REQUIRE(q.front());
    CHECK(*q.front() == i);
    std::unique_ptr<int> taken = std::move(q.front());
    q.pop_front();
  }
  CHECK(q.empty());
}
