#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "run/lanes.hpp"

using callhook::run::lane_count;
using callhook::run::lane_shard;
using callhook::run::lane_share;
using callhook::run::receiver_on_this_machine;
using callhook::scenario::Shard;

TEST_CASE("lane count: one per core by default, never more than requests, connections or calls") {
  CHECK(lane_count(0, 8, false, 64, 8, -1) == 8);
  CHECK(lane_count(0, 0, false, 64, 8, -1) == 1);   // cores unknown
  CHECK(lane_count(4, 2, false, 64, 8, -1) == 4);   // asked for
  CHECK(lane_count(0, 16, false, 3, 8, -1) == 3);   // 3 requests in flight
  CHECK(lane_count(0, 16, false, 64, 2, -1) == 2);  // 2 connections
  CHECK(lane_count(0, 16, false, 64, 8, 5) == 5);   // 5 calls
  CHECK(lane_count(0, 16, false, 64, 8, 0) == 1);
}

TEST_CASE("lane count: a receiver on this machine keeps a core of its own, unless lanes are asked for") {
  CHECK(lane_count(0, 8, true, 64, 8, -1) == 7);
  CHECK(lane_count(0, 2, true, 64, 8, -1) == 1);
  CHECK(lane_count(0, 1, true, 64, 8, -1) == 1);
  CHECK(lane_count(2, 2, true, 64, 8, -1) == 2);
}

TEST_CASE("a receiver is on this machine when a stream's target host is a loopback one") {
  callhook::scenario::Scenario s;
  s.streams.resize(2);
  s.streams[0].target = "http://receiver.example:8080/hooks";
  s.streams[1].target = "https://203.0.113.9/hooks";
  CHECK_FALSE(receiver_on_this_machine(s));
  s.streams[1].target = "http://127.0.0.1:3000/hooks";
  CHECK(receiver_on_this_machine(s));
  s.streams[1].target = "http://localhost:3000/hooks";
  CHECK(receiver_on_this_machine(s));
  s.streams[1].target = "http://[::1]:3000/hooks";
  CHECK(receiver_on_this_machine(s));
}

TEST_CASE("the lanes of every shard play each call exactly once, and one lane the script") {
  for (std::uint64_t shards : {1, 2, 3}) {
    for (std::size_t lanes : {1, 2, 4}) {
      INFO(shards << " shards, " << lanes << " lanes");
      std::vector<int> plays(240, 0);
      int script_lanes = 0;
      for (std::uint64_t shard = 0; shard < shards; ++shard) {
        for (std::size_t lane = 0; lane < lanes; ++lane) {
          const Shard s = lane_shard(Shard{shard, shards}, lane, lanes);
          REQUIRE(s.count == shards * lanes);
          REQUIRE(s.index < s.count);
          CHECK(s.index % shards == shard);  // inside its process's shard
          for (std::size_t call = s.index; call < plays.size(); call += s.count) ++plays[call];
          if (s.index == 0) ++script_lanes;
        }
      }
      CHECK(std::count(plays.begin(), plays.end(), 1) == 240);
      CHECK(script_lanes == 1);
    }
  }
}

TEST_CASE("lane shares add up to the whole, at least one each") {
  std::int64_t sum = 0;
  for (std::size_t lane = 0; lane < 3; ++lane) sum += lane_share(64, lane, 3);
  CHECK(sum == 64);
  CHECK(lane_share(64, 0, 3) == 22);
  CHECK(lane_share(64, 2, 3) == 21);
  CHECK(lane_share(1, 1, 2) == 1);
}

TEST_CASE("run_lanes runs every lane once, keeps waiting() going for the last ones and rethrows a lane's error") {
  std::vector<std::atomic<int>> runs(3);
  std::atomic<int> waits{0};
  callhook::run::run_lanes(
      3,
      [&](std::size_t lane) {
        ++runs[lane];
        // The other lanes end only once the first is done and waiting() was called.
        while (lane != 0 && waits.load() == 0) std::this_thread::yield();
      },
      [&] { ++waits; });
  for (const auto& count : runs) CHECK(count.load() == 1);
  CHECK(waits.load() >= 1);

  CHECK_THROWS_WITH(callhook::run::run_lanes(
                        2,
                        [](std::size_t lane) {
                          if (lane == 1) throw std::runtime_error("lane 1 failed");
                        },
                        [] {}),
                    "lane 1 failed");
}

TEST_CASE("a lane's scenario: its shard, the script in lane 0 only, its shares of the caps") {
  callhook::scenario::Scenario whole;
  whole.concurrency = 9;
  whole.shard = Shard{1, 2};
  whole.streams.resize(2);
  whole.streams[0].calls.max_concurrent = 5;
  whole.script.resize(1);
  CHECK(callhook::run::calls_alive(whole, 100) == 5);
  CHECK(callhook::run::calls_alive(whole, 3) == 3);
  whole.streams[0].calls.max_concurrent.reset();
  CHECK(callhook::run::calls_alive(whole, -1) == -1);
  whole.streams[1].calls.max_concurrent = 4;

  const auto first = callhook::run::lane_scenario(whole, 0, 2);
  const auto second = callhook::run::lane_scenario(whole, 1, 2);
  CHECK(first.shard.index == 1);
  CHECK(second.shard.index == 3);
  CHECK(first.shard.count == 4);
  CHECK(first.script.empty());  // the script belongs to shard 0 of 2 alone
  CHECK(second.script.empty());
  whole.shard = Shard{0, 1};
  CHECK(callhook::run::lane_scenario(whole, 0, 2).script.size() == 1);
  CHECK(callhook::run::lane_scenario(whole, 1, 2).script.empty());
  CHECK(first.concurrency + second.concurrency == 9);
  CHECK(*first.streams[1].calls.max_concurrent + *second.streams[1].calls.max_concurrent == 4);
  CHECK_FALSE(first.streams[0].calls.max_concurrent);
}
