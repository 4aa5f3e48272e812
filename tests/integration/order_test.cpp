// Per-call order on the wire: the same for every run, and overlapping only
// as a real vendor's sends would.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

// Many calls alive at once, no faults, no recording URLs (Voiceflow bodies
// are complete in themselves).
const char* k_busy_calls = R"({
  "name": "order-busy", "seed": 5, "speed": "max",
  "streams": [{
    "vendor": "voiceflow",
    "calls": { "count": 40, "arrival": { "poisson": 4 }, "duration_s": { "uniform": [5, 90] } }
  }]
})";

// Each call's bodies in the order they arrived, by Voiceflow user id.
std::map<std::string, std::vector<std::string>> arrivals_per_call(const Receiver& receiver) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& r : receiver.received()) out[json::parse(r.body)["data"]["userID"]].push_back(r.body);
  return out;
}

}  // namespace

TEST_CASE("timeline: three runs at max speed and concurrency 64 give every call the same arrival order",
          "[integration][order]") {
  TempDir dir;
  const std::string scenario = dir.write("busy.json", k_busy_calls);
  std::vector<std::map<std::string, std::vector<std::string>>> runs;
  for (int run = 0; run < 3; ++run) {
    // Answers take 0 to 4 ms, differently each run, so the wire interleaves calls differently.
    Receiver receiver([run](const httplib::Request& req, httplib::Response& res) {
      std::this_thread::sleep_for(std::chrono::microseconds((std::hash<std::string>{}(req.body) + run * 977) % 4000));
      res.set_content("{}", "application/json");
    });
    const auto result = run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--speed", "max",
                                      "--concurrency", "64", "--progress", "never", "--quiet"});
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    REQUIRE(receiver.count() == 160);
    runs.push_back(arrivals_per_call(receiver));
  }
  REQUIRE(runs[0].size() == 40);
  CHECK(runs[1] == runs[0]);
  CHECK(runs[2] == runs[0]);
  // Without faults no delivery arrives after a later-planned one of its call.
  for (const auto& [user, bodies] : runs[0]) {
    for (std::size_t k = 1; k < bodies.size(); ++k)
      CHECK(json::parse(bodies[k])["time"].get<std::int64_t>() >=
            json::parse(bodies[k - 1])["time"].get<std::int64_t>());
  }
}

namespace {

// A receiver that tracks, per call, how many of its requests are being
// answered at once, and the virtual gap and real distance of each overlap.
struct OverlapWatch {
  std::mutex mutex;
  std::map<std::string, std::vector<std::pair<std::chrono::steady_clock::time_point, std::int64_t>>> open;
  int overlaps = 0;
  int too_early = 0;  // overlaps that started before the virtual gap had passed in real time
};

Receiver::Handler watching(OverlapWatch& watch, std::chrono::milliseconds answer_after) {
  return [&watch, answer_after](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    const std::string user = body["data"]["userID"];
    const std::int64_t due = body["time"];
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(watch.mutex);
      for (const auto& [since, earlier_due] : watch.open[user]) {
        ++watch.overlaps;
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - since).count();
        // 20 ms for the loopback, the receiver's threads and a loaded
        // machine; an overlap that ignored the gap would come at once.
        if (waited + 20 < due - earlier_due) ++watch.too_early;
      }
      watch.open[user].emplace_back(now, due);
    }
    std::this_thread::sleep_for(answer_after);
    {
      std::lock_guard lock(watch.mutex);
      auto& list = watch.open[user];
      list.erase(std::find(list.begin(), list.end(), std::make_pair(now, due)));
    }
    res.set_content("{}", "application/json");
  };
}

// Short calls: Voiceflow's session and call starts are 99 virtual ms apart.
// Four calls of four events: never more requests at once than the
// receiver's 16 threads, so none waits for a thread and arrival times are
// send times.
std::string short_calls(const std::string& ordering) {
  return R"({"name": "order-)" + ordering + R"(", "seed": 3, "speed": "max",
    "streams": [{"vendor": "voiceflow", "calls": {"count": 4, "arrival": {"rate_per_s": 2}, "duration_s": 2},
                 "delivery": {"ordering": ")" +
         ordering + R"(", "timeout_ms": 5000}}]})";
}

}  // namespace

TEST_CASE("concurrent: a call's attempts overlap exactly when the receiver is slower than their gap",
          "[integration][order]") {
  TempDir dir;
  const std::string concurrent = dir.write("concurrent.json", short_calls("concurrent"));
  const std::string timeline = dir.write("timeline.json", short_calls("timeline"));
  const auto run = [](const std::string& scenario, Receiver& receiver) {
    // A connection for every request that can be in flight, so none waits
    // for one after the engine has let it go.
    const auto result = run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--speed", "max",
                                      "--connections", "16", "--progress", "never", "--quiet"});
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    REQUIRE(receiver.count() == 16);
  };
  SECTION("slow receiver (400 ms): overlaps, none before its gap") {
    OverlapWatch watch;
    Receiver receiver(watching(watch, std::chrono::milliseconds(400)));
    run(concurrent, receiver);
    CHECK(watch.overlaps > 0);
    CHECK(watch.too_early == 0);
  }
  SECTION("fast receiver: no overlap") {
    OverlapWatch watch;
    Receiver receiver(watching(watch, std::chrono::milliseconds(0)));
    run(concurrent, receiver);
    CHECK(watch.overlaps == 0);
  }
  SECTION("timeline never overlaps a call's attempts, however slow the receiver") {
    OverlapWatch watch;
    Receiver receiver(watching(watch, std::chrono::milliseconds(400)));
    run(timeline, receiver);
    CHECK(watch.overlaps == 0);
  }
}
