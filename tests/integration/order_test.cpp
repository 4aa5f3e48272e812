// Per-call order on the wire: the same for every run, and overlapping only
// as a real vendor's sends would.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
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
  // Without faults no delivery arrives after a later one of its call's lifecycle.
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

namespace {

// Calls that overlap, each sent one delivery at a time (strict); a copy of
// some deliveries right after its original.
const char* k_strict_calls = R"({
  "name": "order-strict", "seed": 8, "speed": "max",
  "streams": [{
    "vendor": "voiceflow",
    "calls": { "count": 6, "arrival": { "rate_per_s": 50 }, "duration_s": 1 },
    "delivery": { "ordering": "strict" },
    "faults": { "duplicate": { "p": 0.3, "copies": 1, "spacing_ms": 0 } }
  }]
})";

// The JSON embedded in an HTML report's <script id="...">.
json embedded(const std::string& html_path, const std::string& id) {
  std::ifstream in(html_path);
  const std::string page((std::istreambuf_iterator<char>(in)), {});
  const std::string open = "<script type=\"application/json\" id=\"" + id + "\">";
  const auto from = page.find(open);
  REQUIRE(from != std::string::npos);
  const auto start = from + open.size();
  return json::parse(page.substr(start, page.find("</script>", start) - start));
}

// "call/event" of every delivery the timeline marks as reordered (a ▲).
std::vector<std::string> reorder_marks(const json& timeline) {
  std::vector<std::string> marks;
  for (const auto& call : timeline.at("calls"))
    for (const auto& d : call.at("d"))
      if (d.value("o", false)) marks.push_back(call.at("id").get<std::string>() + "/" + d.at("e").get<std::string>());
  return marks;
}

}  // namespace

TEST_CASE("replay keeps each call's recorded order, 20 times out of 20, at the default speed and connections",
          "[integration][order][replay]") {
  TempDir dir;
  Receiver recording;
  const auto recorded =
      run_callhook({"run", dir.write("strict.json", k_strict_calls), "--target", recording.url() + "/hooks",
                    "--journal", dir.path("run.jsonl"), "--progress", "never", "--quiet"});
  INFO(recorded.out << recorded.err);
  REQUIRE(recorded.exit_code == 0);
  // Each call's bodies in recorded send order (the file's order among equal times).
  std::vector<json> attempts;
  for (const auto& record : read_jsonl(dir.path("run.jsonl")))
    if (record.at("kind") == "attempt") attempts.push_back(record);
  std::stable_sort(attempts.begin(), attempts.end(), [](const json& a, const json& b) {
    return a.at("wall_offset_us").get<std::int64_t>() < b.at("wall_offset_us").get<std::int64_t>();
  });
  std::map<std::string, std::vector<std::string>> expected;
  std::map<std::string, std::string> call_of;  // body -> call
  for (const auto& a : attempts) {
    expected[a.at("call")].push_back(a.at("body"));
    call_of[a.at("body")] = a.at("call");
  }
  REQUIRE(expected.size() == 6);
  REQUIRE(attempts.size() > 24);  // 6 calls of 4 events, and copies

  // Answers take 0 to 3 ms, at random: requests of one call sent at once
  // over parallel connections would overtake each other.
  std::mutex mutex;
  std::mt19937 random(17);
  Receiver receiver([&](const httplib::Request&, httplib::Response& res) {
    std::chrono::microseconds pause;
    {
      std::lock_guard lock(mutex);
      pause = std::chrono::microseconds(random() % 3000);
    }
    std::this_thread::sleep_for(pause);
    res.set_content("{}", "application/json");
  });
  const auto replays_in_order = [&](int replays, const std::vector<std::string>& flags) {
    int in_order = 0;
    for (int replay = 0; replay < replays; ++replay) {
      const std::size_t before = receiver.count();
      std::vector<std::string> args = {"replay", dir.path("run.jsonl"), "--target", receiver.url()};
      args.insert(args.end(), flags.begin(), flags.end());
      const auto result = run_callhook(args);
      INFO(result.out << result.err);
      REQUIRE(result.exit_code == 0);
      const auto got = receiver.received();
      REQUIRE(got.size() - before == attempts.size());
      std::map<std::string, std::vector<std::string>> arrived;
      for (std::size_t i = before; i < got.size(); ++i) arrived[call_of.at(got[i].body)].push_back(got[i].body);
      if (arrived == expected) ++in_order;
    }
    return in_order;
  };
  CHECK(replays_in_order(20, {}) == 20);  // speed 1, 8 connections
  CHECK(replays_in_order(5, {"--speed", "max", "--connections", "32"}) == 5);
}

TEST_CASE("a scripted end before its start counts 1 out of order in the run, its journal's report and its HTML",
          "[integration][order]") {
  TempDir dir;
  const std::string scenario = dir.write("end-first.json", R"({
    "name": "end-first", "seed": 1, "speed": "max",
    "streams": [{ "vendor": "voiceflow" }],
    "script": [
      { "at_ms": 0,  "call": "A", "event": "runtime.call.end" },
      { "at_ms": 15, "call": "A", "event": "runtime.call.start" },
      { "at_ms": 30, "call": "B", "event": "runtime.call.start" },
      { "at_ms": 45, "call": "B", "event": "runtime.call.end" }
    ]
  })");
  Receiver receiver;
  const auto run =
      run_callhook({"run", scenario, "--target", receiver.url() + "/hooks", "--journal", dir.path("run.jsonl"),
                    "--report", dir.path("run.json"), "--html", dir.path("run.html"), "--progress", "never"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  REQUIRE(receiver.count() == 4);
  const json live = read_json(dir.path("run.json"));
  CHECK(live["totals"]["out_of_order"] == 1);
  CHECK(live["events"]["runtime.call.start"]["out_of_order"] == 1);
  CHECK(live["events"]["runtime.call.end"]["out_of_order"] == 0);

  const auto rebuilt = run_callhook(
      {"report", dir.path("run.jsonl"), "--json", dir.path("rebuilt.json"), "--html", dir.path("rebuilt.html")});
  INFO(rebuilt.out << rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  CHECK(read_json(dir.path("rebuilt.json"))["totals"]["out_of_order"] == 1);
  const std::string call_a = read_jsonl(dir.path("run.jsonl")).at(1).at("call");  // the script's first step is A's
  for (const char* page : {"run.html", "rebuilt.html"}) {
    INFO(page);
    CHECK(embedded(dir.path(page), "report-data")["totals"]["out_of_order"] == 1);
    CHECK(reorder_marks(embedded(dir.path(page), "timeline-data")) ==
          std::vector<std::string>{call_a + "/runtime.call.start"});
  }
}

TEST_CASE("a faults run counts as many out of order in its report, callhook report of its journal and HTML marks",
          "[integration][order]") {
  TempDir dir;
  Receiver receiver;
  const auto run = run_callhook({"run", "scenarios/faults-duplicates.json", "--target", receiver.url() + "/hooks",
                                 "--journal", dir.path("run.jsonl"), "--report", dir.path("run.json"), "--html",
                                 dir.path("run.html"), "--progress", "never", "--quiet"});
  INFO(run.out << run.err);
  REQUIRE(run.exit_code == 0);
  const json live = read_json(dir.path("run.json"));
  const std::int64_t count = live["totals"]["out_of_order"];
  CHECK(count > 0);
  CHECK(live["faults"]["end_before_start"] > 0);

  const auto rebuilt = run_callhook(
      {"report", dir.path("run.jsonl"), "--json", dir.path("rebuilt.json"), "--html", dir.path("rebuilt.html")});
  INFO(rebuilt.out << rebuilt.err);
  REQUIRE(rebuilt.exit_code == 0);
  const json again = read_json(dir.path("rebuilt.json"));
  CHECK(again["totals"]["out_of_order"] == count);
  for (const auto& [event, counts] : live["events"].items()) {
    INFO(event);
    CHECK(again["events"][event]["out_of_order"] == counts["out_of_order"]);
  }
  for (const char* page : {"run.html", "rebuilt.html"}) {
    INFO(page);
    const json timeline = embedded(dir.path(page), "timeline-data");
    CHECK(timeline["anomalous_calls"] == timeline["anomalous_shown"]);  // every reordered call is on the page
    CHECK(static_cast<std::int64_t>(reorder_marks(timeline).size()) == count);
  }
}
