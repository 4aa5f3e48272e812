// The fault passes: each fault at probability 0 and 1, copies, drops,
// flags, drift, the handshake rules and determinism.
#include <algorithm>
#include <set>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "faults/faults.hpp"

using callhook::faults::apply;
using callhook::scenario::Distribution;
using callhook::scenario::FaultPlan;
using callhook::scenario::Stream;
using callhook::util::Rng;
using callhook::vendors::Delivery;

namespace {

Delivery json_delivery(const std::string& event, std::int64_t due, const std::string& id, bool blocking = false) {
  Delivery d;
  d.event = event;
  d.url = "http://127.0.0.1:9/hooks";
  d.body = R"({"type":")" + event + R"(","id":")" + id + R"(","n":1})";
  d.due_ms = due;
  d.blocking = blocking;
  d.event_id = id;
  d.call_id = "call-1";
  d.event_field = "/type";
  return d;
}

Delivery form_delivery(const std::string& event, std::int64_t due, const std::string& id) {
  Delivery d = json_delivery(event, due, id);
  d.content_type = "application/x-www-form-urlencoded";
  d.body = "Event=" + event + "&Call.From=%2B61400000000";
  d.event_field = "Event";
  return d;
}

Delivery query_delivery(const std::string& event, std::int64_t due, const std::string& id) {
  Delivery d = form_delivery(event, due, id);
  d.method = "GET";
  d.url = "http://127.0.0.1:9/hooks?" + d.body;
  d.body.clear();
  return d;
}

// Three ordinary deliveries, due 1000, 2000, 3000.
std::vector<Delivery> plain_batch() {
  return {json_delivery("a", 1000, "id-a"), json_delivery("b", 2000, "id-b"), json_delivery("c", 3000, "id-c")};
}

// Two ordinary deliveries and a handshake that closes the batch.
std::vector<Delivery> handshake_batch() {
  return {json_delivery("a", 1000, "id-a"), json_delivery("b", 2000, "id-b"),
          json_delivery("hook", 3000, "id-hook", true)};
}

Stream stream_with(const FaultPlan& plan, const std::string& vendor = "test") {
  Stream s;
  s.vendor = vendor;
  s.faults = plan;
  return s;
}

std::vector<Delivery> run(std::vector<Delivery> batch, const Stream& stream, std::uint64_t seed = 7) {
  Rng rng(seed);
  apply(batch, stream, rng);
  return batch;
}

bool has_fault(const Delivery& d, const std::string& fault) {
  return std::find(d.faults.begin(), d.faults.end(), fault) != d.faults.end();
}

bool sorted_by_due(const std::vector<Delivery>& batch) {
  return std::is_sorted(batch.begin(), batch.end(),
                        [](const Delivery& a, const Delivery& b) { return a.due_ms < b.due_ms; });
}

// Everything a receiver or the journal could see of a delivery.
std::string fingerprint(const Delivery& d) {
  std::string out = d.event + "|" + d.url + "|" + d.body + "|" + std::to_string(d.due_ms) + "|" +
                    std::to_string(d.planned_ms) + "|" + d.event_id + "|" + std::to_string(d.copy) + "|" +
                    (d.blocking ? "B" : "-") + (d.dropped ? "D" : "-") + (d.stale_timestamp ? "S" : "-") +
                    (d.bad_signature ? "X" : "-");
  for (const auto& f : d.faults) out += "|" + f;
  return out;
}

std::vector<std::string> fingerprints(const std::vector<Delivery>& batch) {
  std::vector<std::string> out;
  for (const auto& d : batch) out.push_back(fingerprint(d));
  return out;
}

}  // namespace

TEST_CASE("without faults the batch is unchanged, planned_ms is set and one number is drawn") {
  const auto before = plain_batch();
  Rng rng(11);
  Rng expected(11);
  auto batch = before;
  apply(batch, Stream{}, rng);
  expected.next();
  CHECK(rng.next() == expected.next());
  REQUIRE(batch.size() == before.size());
  for (std::size_t i = 0; i < batch.size(); ++i) {
    CHECK(batch[i].due_ms == before[i].due_ms);
    CHECK(batch[i].planned_ms == before[i].due_ms);
    CHECK(batch[i].body == before[i].body);
    CHECK(batch[i].faults.empty());
  }
}

TEST_CASE("faults draw exactly one number from the session generator per batch") {
  FaultPlan plan;
  plan.drop_p = 0.5;
  plan.duplicate = callhook::scenario::Duplicate{0.5, 2, 10, true};
  plan.delay = callhook::scenario::Delay{Distribution{Distribution::Kind::Uniform, 0, 100}, 0.5};
  Rng rng(3);
  Rng expected(3);
  auto batch = plain_batch();
  apply(batch, stream_with(plan), rng);
  expected.next();
  CHECK(rng.next() == expected.next());
}

TEST_CASE("delay moves deliveries by the distribution's sample, never earlier") {
  struct Row {
    double p;
    Distribution ms;
    std::int64_t shift;
    bool marked;
  };
  const Row rows[] = {
      {0.0, Distribution::fixed(250), 0, false},
      {1.0, Distribution::fixed(250), 250, true},
      {1.0, Distribution::fixed(12.6), 13, true},
      {1.0, Distribution::fixed(-40), 0, true},  // negative samples clamp to 0
  };
  for (const auto& row : rows) {
    CAPTURE(row.p, row.ms.a);
    FaultPlan plan;
    plan.delay = callhook::scenario::Delay{row.ms, row.p};
    const auto batch = run(plain_batch(), stream_with(plan));
    const auto before = plain_batch();
    REQUIRE(batch.size() == 3);
    for (std::size_t i = 0; i < 3; ++i) {
      CHECK(batch[i].planned_ms == before[i].due_ms);
      CHECK(batch[i].due_ms == before[i].due_ms + row.shift);
      CHECK(has_fault(batch[i], "delay") == row.marked);
    }
  }
}

TEST_CASE("a random delay draws different amounts for different deliveries") {
  FaultPlan plan;
  plan.delay = callhook::scenario::Delay{Distribution{Distribution::Kind::Uniform, 0, 100000}, 1};
  std::vector<Delivery> batch;
  for (int i = 0; i < 10; ++i) batch.push_back(json_delivery("e", 1000, "id" + std::to_string(i)));
  batch = run(batch, stream_with(plan));
  std::set<std::int64_t> shifts;
  for (const auto& d : batch) {
    CHECK(d.due_ms >= 1000);
    CHECK(d.due_ms <= 101000);
    shifts.insert(d.due_ms);
  }
  CHECK(shifts.size() > 5);
  CHECK(sorted_by_due(batch));
}

TEST_CASE("reorder moves deliveries later within the window") {
  struct Row {
    double p;
    std::int64_t window;
    bool moves;
  };
  const Row rows[] = {{0.0, 500, false}, {1.0, 500, true}, {1.0, 1, true}};
  for (const auto& row : rows) {
    CAPTURE(row.p, row.window);
    FaultPlan plan;
    plan.reorder = callhook::scenario::Reorder{row.p, row.window, {}};
    const auto batch = run(plain_batch(), stream_with(plan));
    REQUIRE(batch.size() == 3);
    for (const auto& d : batch) {
      const std::int64_t shift = d.due_ms - d.planned_ms;
      CHECK(has_fault(d, "reorder") == row.moves);
      if (row.moves) {
        CHECK(shift >= 1);
        CHECK(shift <= row.window);
      } else {
        CHECK(shift == 0);
      }
    }
  }
}

TEST_CASE("reorder with a window wide enough changes the order of a batch") {
  FaultPlan plan;
  plan.reorder = callhook::scenario::Reorder{1, 100000, {}};
  std::vector<Delivery> before;
  for (int i = 0; i < 10; ++i) before.push_back(json_delivery("e", 1000 + i, "id" + std::to_string(i)));
  const auto batch = run(before, stream_with(plan));
  std::vector<std::string> ids;
  for (const auto& d : batch) ids.push_back(d.event_id);
  std::vector<std::string> original;
  for (const auto& d : before) original.push_back(d.event_id);
  CHECK(ids != original);
  CHECK(sorted_by_due(batch));
}

TEST_CASE("duplicate adds numbered copies spacing_ms apart after the original") {
  struct Row {
    double p;
    int copies;
    std::int64_t spacing;
    bool new_id;
  };
  const Row rows[] = {{0, 2, 100, false}, {1, 1, 0, false}, {1, 3, 50, false}, {1, 2, 100, true}};
  for (const auto& row : rows) {
    CAPTURE(row.p, row.copies, row.spacing, row.new_id);
    FaultPlan plan;
    plan.duplicate = callhook::scenario::Duplicate{row.p, row.copies, row.spacing, row.new_id};
    const std::vector<Delivery> one = {json_delivery("a", 1000, "id-a")};
    const auto batch = run(one, stream_with(plan));
    const std::size_t expected = row.p > 0 ? 1 + static_cast<std::size_t>(row.copies) : 1;
    REQUIRE(batch.size() == expected);
    CHECK(batch[0].copy == 0);
    CHECK(batch[0].event_id == "id-a");
    CHECK_FALSE(has_fault(batch[0], "duplicate"));
    std::set<std::string> ids = {batch[0].event_id};
    for (std::size_t n = 1; n < batch.size(); ++n) {
      const Delivery& copy = batch[n];
      CHECK(copy.copy == static_cast<int>(n));
      CHECK(copy.due_ms == 1000 + static_cast<std::int64_t>(n) * row.spacing);
      CHECK(copy.planned_ms == 1000);
      CHECK(copy.body == batch[0].body);
      CHECK(copy.url == batch[0].url);
      CHECK(copy.event == batch[0].event);
      CHECK(has_fault(copy, "duplicate"));
      if (row.new_id)
        CHECK(copy.event_id != "id-a");
      else
        CHECK(copy.event_id == "id-a");
      ids.insert(copy.event_id);
    }
    if (row.new_id) CHECK(ids.size() == batch.size());
  }
}

TEST_CASE("drop, stale_timestamp and bad_signature flag deliveries and keep them in the batch") {
  struct Row {
    const char* fault;
    double FaultPlan::*p;
    bool Delivery::*flag;
  };
  const Row rows[] = {
      {"drop", &FaultPlan::drop_p, &Delivery::dropped},
      {"stale_timestamp", &FaultPlan::stale_timestamp_p, &Delivery::stale_timestamp},
      {"bad_signature", &FaultPlan::bad_signature_p, &Delivery::bad_signature},
  };
  for (const auto& row : rows) {
    for (double p : {0.0, 1.0}) {
      CAPTURE(row.fault, p);
      FaultPlan plan;
      plan.*row.p = p;
      const auto batch = run(plain_batch(), stream_with(plan));
      REQUIRE(batch.size() == 3);
      for (const auto& d : batch) {
        CHECK(d.*row.flag == (p > 0));
        CHECK(has_fault(d, row.fault) == (p > 0));
        CHECK(d.due_ms == d.planned_ms);
      }
    }
  }
}

TEST_CASE("a drop probability of one half drops some deliveries and not others") {
  FaultPlan plan;
  plan.drop_p = 0.5;
  std::vector<Delivery> before;
  for (int i = 0; i < 64; ++i) before.push_back(json_delivery("e", 1000 + i, "id" + std::to_string(i)));
  const auto batch = run(before, stream_with(plan));
  REQUIRE(batch.size() == 64);
  const auto dropped = std::count_if(batch.begin(), batch.end(), [](const Delivery& d) { return d.dropped; });
  CHECK(dropped > 10);
  CHECK(dropped < 54);
}

TEST_CASE("copies are dropped and flagged independently of their original") {
  FaultPlan plan;
  plan.duplicate = callhook::scenario::Duplicate{1, 3, 10, false};
  plan.drop_p = 0.5;
  std::vector<Delivery> before;
  for (int i = 0; i < 16; ++i) before.push_back(json_delivery("e", 1000 * i, "id" + std::to_string(i)));
  const auto batch = run(before, stream_with(plan));
  REQUIRE(batch.size() == 64);
  int mixed = 0;
  for (std::size_t i = 0; i < batch.size(); i += 4) {
    bool any = false, all = true;
    for (std::size_t k = i; k < i + 4; ++k) {
      any = any || batch[k].dropped;
      all = all && batch[k].dropped;
    }
    if (any && !all) ++mixed;
  }
  CHECK(mixed > 0);
}

TEST_CASE("schema drift adds an unknown field to JSON, form and query bodies") {
  FaultPlan plan;
  plan.drift_field_p = 1;
  SECTION("JSON: a top-level key after the vendor's own") {
    const auto batch = run({json_delivery("a", 1000, "id-a")}, stream_with(plan));
    REQUIRE(batch.size() == 1);
    const auto doc = nlohmann::ordered_json::parse(batch[0].body);
    REQUIRE(doc.contains("x_callhook_drift"));
    std::vector<std::string> keys;
    for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
    CHECK(keys == std::vector<std::string>{"type", "id", "n", "x_callhook_drift"});
    CHECK(has_fault(batch[0], "schema_drift"));
  }
  SECTION("form: an extra parameter") {
    const auto batch = run({form_delivery("Call.Initiate", 1000, "id-a")}, stream_with(plan));
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].body.rfind("Event=Call.Initiate&Call.From=%2B61400000000&X.Drift=", 0) == 0);
    CHECK(batch[0].body.size() > std::string("Event=Call.Initiate&Call.From=%2B61400000000&X.Drift=").size());
    CHECK(has_fault(batch[0], "schema_drift"));
  }
  SECTION("query: an extra parameter in the URL") {
    const auto batch = run({query_delivery("Call.Initiate", 1000, "id-a")}, stream_with(plan));
    REQUIRE(batch.size() == 1);
    CHECK(batch[0].url.find("&X.Drift=") != std::string::npos);
    CHECK(batch[0].body.empty());
  }
  SECTION("a body that is not a JSON object is left alone") {
    auto d = json_delivery("a", 1000, "id-a");
    d.body = "[1,2]";
    const auto batch = run({d}, stream_with(plan));
    CHECK(batch[0].body == "[1,2]");
    CHECK_FALSE(has_fault(batch[0], "schema_drift"));
  }
}

TEST_CASE("schema drift adds a delivery of an unknown event type") {
  FaultPlan plan;
  plan.drift_event_p = 1;
  SECTION("JSON: the event field is renamed in the copy only") {
    const auto batch = run({json_delivery("runtime.call.start", 1000, "id-a")}, stream_with(plan));
    REQUIRE(batch.size() == 2);
    CHECK(batch[0].event == "runtime.call.start");
    CHECK(batch[0].faults.empty());
    const Delivery& extra = batch[1];
    CHECK(extra.event == "runtime.call.start.drift");
    CHECK(nlohmann::json::parse(extra.body)["type"] == "runtime.call.start.drift");
    CHECK(nlohmann::json::parse(extra.body)["id"] == "id-a");
    CHECK(extra.event_id != batch[0].event_id);
    CHECK(extra.faults == std::vector<std::string>{"schema_drift"});
    CHECK(extra.due_ms == 1000);
  }
  SECTION("form: the event parameter is renamed") {
    const auto batch = run({form_delivery("Call.Complete", 1000, "id-a")}, stream_with(plan));
    REQUIRE(batch.size() == 2);
    CHECK(batch[1].body == "Event=Call.Complete.drift&Call.From=%2B61400000000");
  }
  SECTION("no event field: nothing is added") {
    auto d = json_delivery("a", 1000, "id-a");
    d.event_field = "";
    CHECK(run({d}, stream_with(plan)).size() == 1);
  }
  SECTION("an event field missing from the body: nothing is added") {
    auto d = json_delivery("a", 1000, "id-a");
    d.event_field = "/event";
    CHECK(run({d}, stream_with(plan)).size() == 1);
  }
}

TEST_CASE("a handshake stays the last delivery of its batch") {
  SECTION("others delayed past it are held at its due time") {
    Stream stream;
    FaultPlan late;
    late.delay = callhook::scenario::Delay{Distribution::fixed(5000), 1};
    stream.event_faults["a"] = late;
    const auto batch = run(handshake_batch(), stream);
    REQUIRE(batch.size() == 3);
    CHECK(batch[0].event == "b");
    CHECK(batch[1].event == "a");
    CHECK(batch[1].due_ms == 3000);
    CHECK(batch[2].event == "hook");
    CHECK(batch[2].blocking);
  }
  SECTION("it may be delayed itself") {
    Stream stream;
    FaultPlan late;
    late.delay = callhook::scenario::Delay{Distribution::fixed(5000), 1};
    stream.event_faults["hook"] = late;
    const auto batch = run(handshake_batch(), stream);
    REQUIRE(batch.size() == 3);
    CHECK(batch[0].due_ms == 1000);
    CHECK(batch[1].due_ms == 2000);
    CHECK(batch[2].event == "hook");
    CHECK(batch[2].due_ms == 8000);
  }
  SECTION("reorder never moves it") {
    FaultPlan plan;
    plan.reorder = callhook::scenario::Reorder{1, 100000, {}};
    const auto batch = run(handshake_batch(), stream_with(plan));
    REQUIRE(batch.size() == 3);
    CHECK(batch[2].event == "hook");
    CHECK(batch[2].due_ms == 3000);
    CHECK_FALSE(has_fault(batch[2], "reorder"));
    CHECK(has_fault(batch[0], "reorder"));
  }
  SECTION("its copies are ordinary deliveries due no later than it") {
    FaultPlan plan;
    plan.duplicate = callhook::scenario::Duplicate{1, 2, 100, true};
    const auto batch = run(handshake_batch(), stream_with(plan));
    REQUIRE(batch.size() == 9);
    CHECK(batch.back().event == "hook");
    CHECK(batch.back().blocking);
    CHECK(batch.back().copy == 0);
    CHECK(std::count_if(batch.begin(), batch.end(), [](const Delivery& d) { return d.blocking; }) == 1);
    for (const auto& d : batch) CHECK(d.due_ms <= 3000);
  }
  SECTION("dropped, it stays last and flagged") {
    Stream stream;
    FaultPlan drop;
    drop.drop_p = 1;
    stream.event_faults["hook"] = drop;
    const auto batch = run(handshake_batch(), stream);
    REQUIRE(batch.size() == 3);
    CHECK(batch[2].blocking);
    CHECK(batch[2].dropped);
    CHECK_FALSE(batch[0].dropped);
  }
  SECTION("a drifted copy of it is not blocking") {
    Stream stream;
    FaultPlan drift;
    drift.drift_event_p = 1;
    stream.event_faults["hook"] = drift;
    const auto batch = run(handshake_batch(), stream);
    REQUIRE(batch.size() == 4);
    CHECK(batch.back().event == "hook");
    CHECK(batch.back().blocking);
    CHECK(std::count_if(batch.begin(), batch.end(), [](const Delivery& d) { return d.blocking; }) == 1);
  }
}

TEST_CASE("an event's own plan replaces the stream's for that event only") {
  Stream stream;
  stream.faults.drop_p = 1;
  FaultPlan keep;  // the loader builds it from the stream's plan; here it switches drop off
  stream.event_faults["b"] = keep;
  const auto batch = run(plain_batch(), stream);
  CHECK(batch[0].dropped);
  CHECK_FALSE(batch[1].dropped);
  CHECK(batch[2].dropped);
  CHECK(&callhook::faults::plan_for(stream, "b") == &stream.event_faults["b"]);
  CHECK(&callhook::faults::plan_for(stream, "a") == &stream.faults);
}

namespace {

FaultPlan busy_plan() {
  FaultPlan plan;
  plan.delay = callhook::scenario::Delay{Distribution{Distribution::Kind::Exponential, 200, 0}, 0.5};
  plan.reorder = callhook::scenario::Reorder{0.3, 1000, {}};
  plan.duplicate = callhook::scenario::Duplicate{0.3, 2, 50, true};
  plan.drop_p = 0.3;
  plan.stale_timestamp_p = 0.3;
  plan.bad_signature_p = 0.3;
  plan.drift_field_p = 0.3;
  plan.drift_event_p = 0.3;
  return plan;
}

std::vector<Delivery> long_batch() {
  std::vector<Delivery> batch;
  for (int i = 0; i < 30; ++i)
    batch.push_back(json_delivery("e" + std::to_string(i % 3), 1000 + 100 * i, "id" + std::to_string(i)));
  return batch;
}

}  // namespace

TEST_CASE("the same seed bends a batch the same way; another seed differently") {
  const Stream stream = stream_with(busy_plan());
  const auto first = run(long_batch(), stream, 42);
  const auto again = run(long_batch(), stream, 42);
  const auto other = run(long_batch(), stream, 43);
  CHECK(fingerprints(first) == fingerprints(again));
  CHECK(fingerprints(first) != fingerprints(other));
  CHECK(sorted_by_due(first));
}

TEST_CASE("one fault's choices do not depend on which other faults are on") {
  FaultPlan drop_only;
  drop_only.drop_p = 0.5;
  FaultPlan with_more = busy_plan();
  with_more.drop_p = 0.5;
  with_more.duplicate.reset();  // copies would add deliveries to compare
  with_more.drift_event_p = 0;
  const auto a = run(long_batch(), stream_with(drop_only), 5);
  const auto b = run(long_batch(), stream_with(with_more), 5);
  std::map<std::string, bool> dropped_a, dropped_b;
  for (const auto& d : a) dropped_a[d.event_id] = d.dropped;
  for (const auto& d : b) dropped_b[d.event_id] = d.dropped;
  CHECK(dropped_a == dropped_b);
}
