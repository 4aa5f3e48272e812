// Reproducing bugs against a real receiver: faults that show exactly where
// they fired, byte-identical reruns, replay of a journal, signatures checked
// by an independent verifier, and the receiver-contract checks (too-slow
// answers, state probes, JUnit).
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <strings.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <httplib.h>

#include "harness.hpp"

using callhook::testing::read_json;
using callhook::testing::read_jsonl;
using callhook::testing::Received;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

const std::string k_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
// base64("callhook-rotation-key-02"): a second key, as during a rotation.
const std::string k_old_secret = "whsec_Y2FsbGhvb2stcm90YXRpb24ta2V5LTAy";

std::vector<std::string> run_args(const std::string& scenario, const std::string& target,
                                  const std::vector<std::string>& extra = {}) {
  std::vector<std::string> args = {"run", scenario, "--target", target, "--progress", "never"};
  args.insert(args.end(), extra.begin(), extra.end());
  return args;
}

std::vector<json> records_of(const std::vector<json>& journal, const std::string& kind) {
  std::vector<json> out;
  for (const auto& rec : journal)
    if (rec.at("kind") == kind) out.push_back(rec);
  return out;
}

// The requests a replay sent, lined up with the journal's attempts: each
// call's in arrival order, taken in the attempts' order. A replay keeps each
// call's order while calls go in parallel, so only a reordered call (or a
// missing request) leaves a request out of line.
std::vector<Received> in_call_order(const std::vector<json>& attempts, const std::vector<Received>& got) {
  std::map<std::string, std::string> call_of;  // body -> call
  for (const auto& a : attempts) call_of[a.at("body")] = a.at("call");
  std::map<std::string, std::deque<Received>> by_call;
  for (const auto& r : got) by_call[call_of[r.body]].push_back(r);
  std::vector<Received> out;
  for (const auto& a : attempts) {
    auto& queue = by_call[a.at("call")];
    if (queue.empty()) break;
    out.push_back(queue.front());
    queue.pop_front();
  }
  return out;
}

bool has_fault(const json& rec, const std::string& fault) {
  const auto& faults = rec.at("faults");
  return std::find(faults.begin(), faults.end(), json(fault)) != faults.end();
}

// A header of a journal attempt record (names compared case-insensitively).
std::string recorded_header(const json& attempt, const std::string& name) {
  for (const auto& pair : attempt.at("headers"))
    if (strcasecmp(pair.at(0).get<std::string>().c_str(), name.c_str()) == 0) return pair.at(1);
  return "";
}

json body_of(const Received& r) { return json::parse(r.body); }

// The journal without its wall-clock keys: what must repeat exactly.
std::vector<json> without_wall(const std::vector<json>& journal) {
  std::vector<json> out;
  for (json rec : journal) {
    for (auto it = rec.begin(); it != rec.end();) {
      if (it.key().rfind("wall_", 0) == 0)
        it = rec.erase(it);
      else
        ++it;
    }
    out.push_back(std::move(rec));
  }
  return out;
}

// --- an independent Standard Webhooks verifier, on OpenSSL alone ---

std::string base64_decode(const std::string& text) {
  if (text.empty() || text.size() % 4 != 0) return "";
  std::string out(text.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return "";
  std::size_t size = static_cast<std::size_t>(n);
  // EVP_DecodeBlock counts the bytes the padding stands for.
  for (std::size_t i = text.size(); i > 0 && text[i - 1] == '='; --i) --size;
  out.resize(size);
  return out;
}

std::string base64_encode(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

// base64(HMAC-SHA256(key after "whsec_", "id.timestamp.body")).
std::string expected_signature(const std::string& secret, const std::string& id, const std::string& timestamp,
                               const std::string& body) {
  REQUIRE(secret.rfind("whsec_", 0) == 0);
  const std::string key = base64_decode(secret.substr(6));
  REQUIRE(!key.empty());
  const std::string message = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_size = 0;
  REQUIRE(HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
               reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac, &mac_size) != nullptr);
  return base64_encode(mac, mac_size);
}

std::int64_t unix_now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The "v1,<base64>" entries of a signature header, space separated.
std::vector<std::string> signature_entries(const std::string& header) {
  std::vector<std::string> out;
  std::istringstream in(header);
  for (std::string entry; in >> entry;) out.push_back(entry);
  return out;
}

// How many entries of the header are a valid signature under `secret`.
int matching_entries(const std::string& header, const std::string& secret, const std::string& id,
                     const std::string& timestamp, const std::string& body) {
  const std::string want = "v1," + expected_signature(secret, id, timestamp, body);
  int n = 0;
  for (const auto& entry : signature_entries(header))
    if (entry == want) ++n;
  return n;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + needle.size())) ++n;
  return n;
}

// The integer value of attribute `name` in the first element that starts
// with `tag` ("<testsuite ").
long xml_attribute(const std::string& xml, const std::string& tag, const std::string& name) {
  const auto start = xml.find(tag);
  REQUIRE(start != std::string::npos);
  const auto end = xml.find('>', start);
  const std::string element = xml.substr(start, end - start);
  const auto at = element.find(" " + name + "=\"");
  REQUIRE(at != std::string::npos);
  return std::stol(element.substr(at + name.size() + 3));
}

}  // namespace

TEST_CASE("faults show in the journal and the report exactly as the receiver saw them", "[integration][reproduce]") {
  Receiver receiver;
  TempDir dir;
  // Every call.start twice more with the same id, every session.end once
  // more with a new id, half the session.starts dropped, and each end moved
  // ahead of its start.
  const auto scenario = dir.write("faults.json", R"({
    "name": "faults-visible", "seed": 5, "speed": "max", "concurrency": 1,
    "streams": [{ "vendor": "voiceflow",
      "calls": { "count": 8, "arrival": { "rate_per_s": 0.2 }, "duration_s": 30 },
      "delivery": { "signing": { "scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } },
      "faults": {
        "reorder": { "patterns": ["end_before_start"] },
        "events": {
          "runtime.call.start": { "duplicate": { "p": 1, "copies": 2 } },
          "runtime.session.end": { "duplicate": { "p": 1, "copies": 1, "new_id": true } },
          "runtime.session.start": { "drop": 0.5 }
        } } }]
  })");
  const auto result = run_callhook(run_args(scenario, receiver.url() + "/hooks",
                                            {"--journal", dir.path("j.jsonl"), "--report", dir.path("r.json")}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const auto journal = read_jsonl(dir.path("j.jsonl"));
  const auto finals = records_of(journal, "final");
  const auto attempts = records_of(journal, "attempt");
  const json report = read_json(dir.path("r.json"));

  // The final records say which deliveries each fault touched.
  std::map<std::string, int> copies_per_event, dropped_per_event;
  std::set<std::string> dropped_keys, sent_keys, dropped_calls;
  for (const auto& f : finals) {
    const std::string event = f.at("event");
    const int copy = f.at("copy");
    INFO(f.dump());
    CHECK(has_fault(f, "duplicate") == (copy > 0));
    if (copy > 0) ++copies_per_event[event];
    CHECK(has_fault(f, "drop") == (f.at("result") == "dropped"));
    if (f.at("result") == "dropped") {
      CHECK(event == "runtime.session.start");
      CHECK(f.at("attempts") == 0);
      ++dropped_per_event[event];
      dropped_keys.insert(f.at("delivery"));
      dropped_calls.insert(f.at("call"));
    } else {
      CHECK(f.at("result") == "delivered");
      sent_keys.insert(f.at("delivery"));
    }
  }
  const auto originals = [&](const std::string& event) {
    return std::count_if(finals.begin(), finals.end(),
                         [&](const json& f) { return f.at("event") == event && f.at("copy") == 0; });
  };
  CHECK(copies_per_event["runtime.call.start"] == 2 * originals("runtime.call.start"));
  CHECK(copies_per_event["runtime.session.end"] == originals("runtime.session.end"));
  CHECK(copies_per_event.count("runtime.call.end") == 0);
  CHECK(copies_per_event.count("runtime.session.start") == 0);
  // The seed drops some session starts and keeps others.
  REQUIRE(dropped_per_event["runtime.session.start"] > 0);
  REQUIRE(dropped_per_event["runtime.session.start"] < originals("runtime.session.start"));

  // The report counts each fault as the journal lists it.
  std::map<std::string, int> journal_faults;
  for (const auto& f : finals)
    for (const auto& name : f.at("faults")) ++journal_faults[name.get<std::string>()];
  CHECK(report.at("faults").size() == journal_faults.size());
  for (const auto& [name, n] : journal_faults) {
    INFO(name);
    CHECK(report.at("faults").value(name, -1) == n);
  }
  CHECK(report.at("totals").at("dropped") == static_cast<int>(dropped_keys.size()));
  CHECK(report.at("totals").at("delivered") == static_cast<int>(sent_keys.size()));

  // A dropped delivery has no attempt; every other one has exactly one.
  std::multiset<std::pair<std::string, std::string>> journal_sent;  // (body, webhook-id)
  std::set<std::string> attempted;
  for (const auto& a : attempts) {
    CHECK(dropped_keys.count(a.at("delivery")) == 0);
    CHECK(attempted.insert(a.at("delivery")).second);
    journal_sent.emplace(a.at("body"), recorded_header(a, "webhook-id"));
  }
  CHECK(attempted == sent_keys);

  // The receiver got exactly the deliveries that were not dropped.
  const auto received = receiver.received();
  REQUIRE(received.size() == sent_keys.size());
  std::multiset<std::pair<std::string, std::string>> receiver_sent;
  std::map<std::string, std::vector<std::string>> ids_by_body;
  for (const auto& r : received) {
    receiver_sent.emplace(r.body, r.header("webhook-id"));
    ids_by_body[r.body].push_back(r.header("webhook-id"));
  }
  CHECK(receiver_sent == journal_sent);
  // Identical copies share the id; new_id copies do not.
  int call_starts = 0, session_ends = 0;
  for (const auto& [body, ids] : ids_by_body) {
    const std::string type = json::parse(body).at("type");
    const std::set<std::string> distinct(ids.begin(), ids.end());
    INFO(type << " " << body);
    if (type == "runtime.call.start") {
      ++call_starts;
      CHECK(ids.size() == 3);
      CHECK(distinct.size() == 1);
    } else if (type == "runtime.session.end") {
      ++session_ends;
      CHECK(ids.size() == 2);
      CHECK(distinct.size() == 2);
    } else {
      CHECK(ids.size() == 1);
    }
  }
  CHECK(call_starts == originals("runtime.call.start"));
  // An id names one delivery's content only, across the whole run.
  std::map<std::string, std::set<std::string>> bodies_by_id;
  for (const auto& r : received) bodies_by_id[r.header("webhook-id")].insert(r.body);
  for (const auto& [id, bodies] : bodies_by_id) {
    INFO("webhook-id " << id);
    CHECK(bodies.size() == 1);
  }
  CHECK(session_ends == originals("runtime.session.end"));

  // A dropped session.start never arrived: its session id (from the call's
  // other deliveries) is missing from the session starts received.
  std::map<std::string, std::string> session_of_call;
  for (const auto& a : attempts) {
    const json body = json::parse(a.at("body").get<std::string>());
    if (body.at("data").contains("sessionID")) session_of_call[a.at("call")] = body.at("data").at("sessionID");
  }
  std::set<std::string> started_sessions;
  for (const auto& r : received) {
    const json body = body_of(r);
    if (body.at("type") == "runtime.session.start") started_sessions.insert(body.at("data").at("sessionID"));
  }
  for (const auto& [call, session] : session_of_call) {
    INFO(call);
    CHECK(started_sessions.count(session) == (dropped_calls.count(call) ? 0u : 1u));
  }

  // end_before_start: the receiver saw the call's end before its start.
  std::set<std::string> moved_calls;
  for (const auto& f : finals)
    if (f.at("event") == "runtime.call.end" && has_fault(f, "end_before_start")) moved_calls.insert(f.at("call"));
  REQUIRE(!moved_calls.empty());
  for (const auto& call : moved_calls) {
    std::ptrdiff_t first_end = -1, first_start = -1;
    for (std::size_t i = 0; i < received.size(); ++i) {
      const json body = body_of(received[i]);
      const json& data = body.at("data");
      if (!data.contains("metadata") || data.at("metadata").value("callSid", "") != call) continue;
      if (body.at("type") == "runtime.call.end" && first_end < 0) first_end = static_cast<std::ptrdiff_t>(i);
      if (body.at("type") == "runtime.call.start" && first_start < 0) first_start = static_cast<std::ptrdiff_t>(i);
    }
    INFO(call);
    REQUIRE(first_end >= 0);
    REQUIRE(first_start >= 0);
    CHECK(first_end < first_start);
  }
}

TEST_CASE("the same scenario and seed give the same journal and the same bytes on the wire",
          "[integration][reproduce]") {
  // One receiver for every run, so the recorded URLs match too.
  Receiver receiver;
  TempDir dir;
  const auto scenario = dir.write("det.json", R"({
    "name": "determinism", "seed": 9, "speed": "max", "concurrency": 1,
    "streams": [{ "vendor": "voiceflow",
      "calls": { "count": 6, "arrival": { "poisson": 0.5 }, "duration_s": { "uniform": [20, 90] } },
      "delivery": { "ordering": "strict",
                    "signing": { "scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
                                 "timestamp": "virtual" } },
      "faults": { "duplicate": { "p": 0.3, "spacing_ms": 100 }, "reorder": { "p": 0.3, "window_ms": 2000 } } }]
  })");
  struct Run {
    std::vector<json> journal;
    std::vector<Received> received;
  };
  const auto run = [&](const std::string& name, const std::vector<std::string>& extra) {
    const std::size_t before = receiver.count();
    std::vector<std::string> flags = {"--journal", dir.path(name)};
    flags.insert(flags.end(), extra.begin(), extra.end());
    const auto result = run_callhook(run_args(scenario, receiver.url() + "/hooks", flags));
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    auto all = receiver.received();
    return Run{read_jsonl(dir.path(name)), {all.begin() + static_cast<std::ptrdiff_t>(before), all.end()}};
  };
  const Run first = run("a.jsonl", {});
  const Run second = run("b.jsonl", {});
  const Run other_seed = run("c.jsonl", {"--seed", "10"});

  const auto a = without_wall(first.journal);
  const auto b = without_wall(second.journal);
  REQUIRE(a.size() > 10);
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("line " << i + 1);
    CHECK(a[i] == b[i]);
  }
  // The wall-clock keys were there to remove.
  REQUIRE(first.journal.front().contains("wall_started_at"));

  const char* signed_headers[] = {"webhook-id", "webhook-timestamp", "webhook-signature"};
  REQUIRE(!first.received.empty());
  REQUIRE(first.received.size() == second.received.size());
  for (std::size_t i = 0; i < first.received.size(); ++i) {
    INFO("request " << i);
    CHECK(first.received[i].body == second.received[i].body);
    for (const char* name : signed_headers) {
      CHECK(!first.received[i].header(name).empty());
      CHECK(first.received[i].header(name) == second.received[i].header(name));
    }
  }

  // Another seed makes other calls: other bodies, other ids.
  const auto c = without_wall(other_seed.journal);
  CHECK(c != a);
  std::vector<std::string> bodies_a, bodies_c;
  std::set<std::string> ids_a, ids_c;
  for (const auto& r : first.received) {
    bodies_a.push_back(r.body);
    ids_a.insert(r.header("webhook-id"));
  }
  for (const auto& r : other_seed.received) {
    bodies_c.push_back(r.body);
    ids_c.insert(r.header("webhook-id"));
  }
  CHECK(bodies_a != bodies_c);
  std::vector<std::string> shared;
  std::set_intersection(ids_a.begin(), ids_a.end(), ids_c.begin(), ids_c.end(), std::back_inserter(shared));
  CHECK(shared.empty());
}

TEST_CASE("replay sends the recorded requests again, each call's in order, byte for byte", "[integration][reproduce]") {
  // The first answer to each call's end is a 500, so the journal holds
  // retries, which a replay sends too.
  std::mutex mutex;
  std::set<std::string> refused;
  Receiver original([&](const httplib::Request& req, httplib::Response& res) {
    const json body = json::parse(req.body);
    if (body.at("type") == "runtime.call.end") {
      std::lock_guard lock(mutex);
      if (refused.insert(req.body).second) {
        res.status = 500;
        return;
      }
    }
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("rec.json", R"({
    "name": "record", "seed": 12, "speed": "max", "concurrency": 1,
    "streams": [{ "vendor": "voiceflow",
      "calls": { "count": 3, "arrival": { "rate_per_s": 0.1 }, "duration_s": 30 },
      "delivery": { "retry": { "max_attempts": 2, "backoff_ms": [10] },
                    "signing": { "scheme": "standard", "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" } } }]
  })");
  const std::string journal_path = dir.path("run.jsonl");
  const auto recorded =
      run_callhook(run_args(scenario, original.url() + "/in/hooks?tenant=acme&v=2", {"--journal", journal_path}));
  INFO(recorded.out << recorded.err);
  REQUIRE(recorded.exit_code == 0);
  auto attempts = records_of(read_jsonl(journal_path), "attempt");
  std::stable_sort(attempts.begin(), attempts.end(), [](const json& x, const json& y) {
    return x.at("wall_offset_us").get<std::int64_t>() < y.at("wall_offset_us").get<std::int64_t>();
  });
  REQUIRE(attempts.size() == original.count());
  REQUIRE(std::any_of(attempts.begin(), attempts.end(), [](const json& a) { return a.at("attempt") == 2; }));

  const auto check_replayed = [](const std::vector<json>& expected, const std::vector<Received>& received) {
    REQUIRE(received.size() == expected.size());
    const auto got = in_call_order(expected, received);
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("request " << i << ": " << expected[i].dump());
      CHECK(got[i].method == expected[i].at("method"));
      const std::string url = expected[i].at("url");
      const std::string sent_target = url.substr(url.find('/', std::string("http://").size()));
      CHECK(got[i].path + (got[i].query.empty() ? "" : "?" + got[i].query) == sent_target);
      CHECK(got[i].body == expected[i].at("body"));
      for (const char* name : {"webhook-id", "webhook-timestamp", "webhook-signature", "Content-Type"}) {
        CHECK(!recorded_header(expected[i], name).empty());
        CHECK(got[i].header(name) == recorded_header(expected[i], name));
      }
    }
  };

  SECTION("every request") {
    Receiver target;
    const auto replay = run_callhook({"replay", journal_path, "--target", target.url(), "--speed", "max"});
    INFO(replay.out << replay.err);
    REQUIRE(replay.exit_code == 0);
    check_replayed(attempts, target.received());
    CHECK(replay.out.find("replayed " + std::to_string(attempts.size()) + " requests") != std::string::npos);
  }

  SECTION("--resign signs each request again at the current time") {
    Receiver target;
    const auto replay = run_callhook({"replay", journal_path, "--target", target.url(), "--speed", "max", "--resign",
                                      k_secret, "--resign", k_old_secret});
    INFO(replay.out << replay.err);
    REQUIRE(replay.exit_code == 0);
    const auto got = in_call_order(attempts, target.received());
    REQUIRE(got.size() == attempts.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      INFO("request " << i);
      CHECK(got[i].body == attempts[i].at("body"));
      CHECK(got[i].header("webhook-id") == recorded_header(attempts[i], "webhook-id"));
      const std::string ts = got[i].header("webhook-timestamp");
      CHECK(std::llabs(unix_now_s() - std::stoll(ts)) <= 60);
      const std::string signature = got[i].header("webhook-signature");
      CHECK(signature_entries(signature).size() == 2);
      for (const auto& secret : {k_secret, k_old_secret})
        CHECK(matching_entries(signature, secret, got[i].header("webhook-id"), ts, got[i].body) == 1);
    }
  }

  SECTION("--only keeps one call's requests") {
    const std::string call = attempts.back().at("call");
    std::vector<json> expected;
    for (const auto& a : attempts)
      if (a.at("call") == call) expected.push_back(a);
    REQUIRE(expected.size() < attempts.size());
    Receiver target;
    const auto replay =
        run_callhook({"replay", journal_path, "--target", target.url(), "--speed", "max", "--only", call});
    INFO(replay.out << replay.err);
    REQUIRE(replay.exit_code == 0);
    check_replayed(expected, target.received());
  }

  SECTION("a malformed journal is bad input, named with its line") {
    std::ifstream in(journal_path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    REQUIRE(lines.size() > 4);
    lines.insert(lines.begin() + 2, "{\"kind\": \"attempt\", this is not json");
    std::string broken_text;
    for (const auto& line : lines) broken_text += line + "\n";
    const std::string broken = dir.write("broken.jsonl", broken_text);
    Receiver target;
    const auto replay = run_callhook({"replay", broken, "--target", target.url(), "--speed", "max"});
    INFO(replay.out << replay.err);
    CHECK(replay.exit_code == 2);
    CHECK(replay.err.find(broken + ":3") != std::string::npos);

    const std::string missing = dir.path("missing.jsonl");
    const auto none = run_callhook({"replay", missing, "--target", target.url(), "--speed", "max"});
    INFO(none.out << none.err);
    CHECK(none.exit_code == 2);
    CHECK(none.err.find(missing) != std::string::npos);
  }
}

TEST_CASE("strict ordering still retries: the retry goes out before the call's next delivery",
          "[integration][reproduce]") {
  // Each call's end is refused once.
  std::mutex mutex;
  std::set<std::string> refused;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    if (json::parse(req.body).at("type") == "runtime.call.end") {
      std::lock_guard lock(mutex);
      if (refused.insert(req.body).second) {
        res.status = 500;
        return;
      }
    }
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("strict-retry.json", R"({
    "name": "strict-retry", "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 2, "arrival": { "rate_per_s": 0.1 } },
      "delivery": { "ordering": "strict", "retry": { "max_attempts": 2, "backoff_ms": [10] } } }]
  })");
  const auto result = run_callhook(
      run_args(scenario, receiver.url(), {"--report", dir.path("r.json"), "--journal", dir.path("j.jsonl")}), 15);
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);
  const json totals = read_json(dir.path("r.json")).at("totals");
  CHECK(totals.at("delivered") == 8);
  CHECK(totals.at("retried") == 2);
  REQUIRE(receiver.count() == 10);
  // Within a call, the refused attempt is followed by its own retry.
  auto attempts = records_of(read_jsonl(dir.path("j.jsonl")), "attempt");
  std::stable_sort(attempts.begin(), attempts.end(), [](const json& x, const json& y) {
    return x.at("wall_offset_us").get<std::int64_t>() < y.at("wall_offset_us").get<std::int64_t>();
  });
  int refusals = 0;
  for (std::size_t i = 0; i < attempts.size(); ++i) {
    if (!attempts[i].at("will_retry").get<bool>()) continue;
    ++refusals;
    for (std::size_t j = i + 1; j < attempts.size(); ++j) {
      if (attempts[j].at("call") != attempts[i].at("call")) continue;
      INFO(attempts[j].dump());
      CHECK(attempts[j].at("delivery") == attempts[i].at("delivery"));
      CHECK(attempts[j].at("attempt") == 2);
      break;
    }
  }
  CHECK(refusals == 2);
}

namespace {

// Runs a small signed Voiceflow scenario against a fresh receiver and
// returns what it received, in order.
std::vector<Received> run_signed(const TempDir& dir, const std::string& name, const std::string& signing,
                                 const std::string& faults) {
  Receiver receiver;
  const auto scenario = dir.write(name + ".json", R"({
    "name": ")" + name + R"(", "seed": 4, "speed": "max", "concurrency": 1,
    "streams": [{ "vendor": "voiceflow",
      "calls": { "count": 3, "arrival": { "rate_per_s": 0.1 }, "duration_s": 40 },
      "delivery": { "ordering": "strict", "signing": )" +
                                                      signing + R"( },
      "faults": )" + faults + R"( }]
  })");
  const auto result = run_callhook(run_args(scenario, receiver.url() + "/hooks"));
  INFO(result.out << result.err);
  // This receiver accepts every signature: with a bad_signature or a
  // stale_timestamp fault that is a finding, and the run fails.
  REQUIRE(result.exit_code == (faults == "{}" ? 0 : 1));
  auto received = receiver.received();
  REQUIRE(received.size() == 12);  // 3 calls x 4 events
  return received;
}

}  // namespace

TEST_CASE("signatures verify with an independent Standard Webhooks verifier", "[integration][reproduce]") {
  TempDir dir;
  const std::string rotation =
      R"({ "scheme": "standard", "secrets": [")" + k_secret + R"(", ")" + k_old_secret + R"("] })";
  const auto good = run_signed(dir, "good", rotation, "{}");

  // Every request carries two v1 entries, one per secret, both valid.
  for (const auto& r : good) {
    const std::string id = r.header("webhook-id"), ts = r.header("webhook-timestamp");
    const std::string signature = r.header("webhook-signature");
    INFO(signature);
    REQUIRE(!id.empty());
    REQUIRE(!ts.empty());
    const auto entries = signature_entries(signature);
    REQUIRE(entries.size() == 2);
    for (const auto& entry : entries) CHECK(entry.rfind("v1,", 0) == 0);
    CHECK(matching_entries(signature, k_secret, id, ts, r.body) == 1);
    CHECK(matching_entries(signature, k_old_secret, id, ts, r.body) == 1);
    // The timestamp is the wall-clock second the attempt was sent.
    CHECK(std::llabs(unix_now_s() - std::stoll(ts)) <= 60);
    CHECK(r.header("svix-id").empty());
  }

  SECTION("bad_signature: the body is intact, no signature verifies") {
    const auto bad = run_signed(dir, "bad", rotation, R"({ "bad_signature": 1 })");
    for (std::size_t i = 0; i < bad.size(); ++i) {
      const auto& r = bad[i];
      INFO(r.body << "\n" << r.header("webhook-signature"));
      CHECK(r.body == good[i].body);
      CHECK(r.header("webhook-id") == good[i].header("webhook-id"));
      CHECK(signature_entries(r.header("webhook-signature")).size() == 2);
      for (const auto& secret : {k_secret, k_old_secret})
        CHECK(matching_entries(r.header("webhook-signature"), secret, r.header("webhook-id"),
                               r.header("webhook-timestamp"), r.body) == 0);
    }
  }

  SECTION("stale_timestamp: at least by_ms before the event, still signed correctly") {
    const auto stale = run_signed(dir, "stale", rotation, R"({ "stale_timestamp": { "p": 1, "by_ms": 600000 } })");
    for (std::size_t i = 0; i < stale.size(); ++i) {
      const auto& r = stale[i];
      const std::string ts = r.header("webhook-timestamp");
      INFO(r.body << "\n" << ts);
      CHECK(r.body == good[i].body);
      // by_ms behind the wall clock at the send.
      CHECK(unix_now_s() - std::stoll(ts) >= 600);
      CHECK(unix_now_s() - std::stoll(ts) <= 660);
      CHECK(matching_entries(r.header("webhook-signature"), k_secret, r.header("webhook-id"), ts, r.body) == 1);
    }
  }

  SECTION("svix: the same signature under svix- headers") {
    const auto svix = run_signed(dir, "svix", R"({ "scheme": "svix", "secret": ")" + k_secret + R"(" })", "{}");
    for (const auto& r : svix) {
      INFO(r.body);
      CHECK(r.header("webhook-id").empty());
      CHECK(r.header("webhook-signature").empty());
      const std::string id = r.header("svix-id"), ts = r.header("svix-timestamp");
      REQUIRE(!id.empty());
      REQUIRE(!ts.empty());
      CHECK(signature_entries(r.header("svix-signature")).size() == 1);
      CHECK(matching_entries(r.header("svix-signature"), k_secret, id, ts, r.body) == 1);
    }
  }
}

TEST_CASE("a 200 that comes after the vendor's timeout counts as a failure", "[integration][reproduce]") {
  // The answer leaves 50 ms after the vendor's 2 s timeout, so it is late
  // however fast the machine; callhook waits half a timeout more (1 s) for a
  // late answer, room enough for a slow one.
  Receiver receiver([](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2050));
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("slow.json", R"({
    "name": "slow", "speed": "max",
    "streams": [{ "vendor": "fonedynamics", "calls": { "count": 1 },
      "delivery": { "timeout_ms": 2000, "retry": { "max_attempts": 1 } } }]
  })");
  const auto result = run_callhook(run_args(scenario, receiver.url(), {"--report", dir.path("r.json")}));
  INFO(result.out << result.err);
  REQUIRE((result.exit_code == 0 || result.exit_code == 1));
  const json totals = read_json(dir.path("r.json")).at("totals");
  const int planned = totals.at("planned");
  REQUIRE(planned == 2);
  CHECK(receiver.count() == 2);
  CHECK(totals.at("too_slow") == planned);
  CHECK(totals.at("failed") == planned);
  CHECK(totals.at("delivered") == 0);
  CHECK(result.out.find("too slow") != std::string::npos);
  CHECK(result.out.find("vendor would have") != std::string::npos);
}

TEST_CASE("state probes compare the receiver's answer per call", "[integration][reproduce]") {
  // Every other probe finds the call still active; the handler remembers
  // which answer each call got.
  std::mutex mutex;
  std::map<std::string, bool> answered_ended;
  bool all_ended = false;
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    if (req.method != "GET") {
      res.set_content("{}", "application/json");
      return;
    }
    const std::string prefix = "/calls/";
    if (req.path.rfind(prefix, 0) != 0) {
      res.status = 404;
      return;
    }
    std::lock_guard lock(mutex);
    const bool ended = all_ended || answered_ended.size() % 2 == 0;
    answered_ended[req.path.substr(prefix.size())] = ended;
    res.set_content(json{{"status", ended ? "ended" : "active"}}.dump(), "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("probe.json", R"({
    "name": "probe", "seed": 3, "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 4, "duration_s": 20 },
      "probe": { "url": ")" + receiver.url() + R"(/calls/{call_id}", "expect": { "/status": "ended" } } }],
    "expect": { "probe_failures": 0 }
  })");
  const auto result = run_callhook(run_args(scenario, receiver.url() + "/hooks",
                                            {"--report", dir.path("r.json"), "--journal", dir.path("j.jsonl")}));
  INFO(result.out << result.err);
  CHECK(result.exit_code == 1);
  const json report = read_json(dir.path("r.json"));
  std::set<std::string> calls;
  for (const auto& f : records_of(read_jsonl(dir.path("j.jsonl")), "final")) calls.insert(f.at("call"));
  REQUIRE(calls.size() == 4);
  {
    std::lock_guard lock(mutex);
    REQUIRE(answered_ended.size() == calls.size());
    for (const auto& call : calls) CHECK(answered_ended.count(call) == 1);
  }
  const json& probes = report.at("probes");
  REQUIRE(probes.size() == calls.size());
  CHECK(report.at("totals").at("probes") == 4);
  CHECK(report.at("totals").at("probe_failures") == 2);
  for (const auto& probe : probes) {
    const std::string call = probe.at("call_id");
    INFO(probe.dump());
    REQUIRE(answered_ended.count(call) == 1);
    CHECK(probe.at("passed") == answered_ended[call]);
    CHECK(probe.at("url") == receiver.url() + "/calls/" + call);
    if (!answered_ended[call]) {
      CHECK(probe.at("message").get<std::string>().find("/status") != std::string::npos);
      CHECK(result.out.find(call) != std::string::npos);
    }
  }
  bool failed_expectation = false;
  for (const auto& e : report.at("expectations"))
    if (e.dump().find("probe_failures") != std::string::npos && e.dump().find("false") != std::string::npos)
      failed_expectation = true;
  CHECK(failed_expectation);

  // The same run with every call ended meets the expectation.
  {
    std::lock_guard lock(mutex);
    all_ended = true;
    answered_ended.clear();
  }
  const auto passing = run_callhook(run_args(scenario, receiver.url() + "/hooks", {"--report", dir.path("r2.json")}));
  INFO(passing.out << passing.err);
  CHECK(passing.exit_code == 0);
  CHECK(read_json(dir.path("r2.json")).at("totals").at("probe_failures") == 0);
}

TEST_CASE("--junit against a broken receiver: one test case per call, failures named", "[integration][reproduce]") {
  // The first two call ends get a 503 (no retries), so two calls fail.
  std::atomic<int> refused{0};
  Receiver receiver([&](const httplib::Request& req, httplib::Response& res) {
    if (json::parse(req.body).at("type") == "runtime.call.end" && refused.fetch_add(1) < 2) {
      res.status = 503;
      return;
    }
    res.set_content("{}", "application/json");
  });
  TempDir dir;
  const auto scenario = dir.write("junit.json", R"({
    "name": "junit-run", "seed": 8, "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 5, "duration_s": 20 },
      "delivery": { "retry": { "max_attempts": 1 } } }],
    "expect": { "failed": 2 }
  })");
  const std::string junit = dir.path("junit.xml");
  const auto result =
      run_callhook(run_args(scenario, receiver.url(), {"--junit", junit, "--journal", dir.path("j.jsonl")}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 0);

  std::set<std::string> calls, failing;
  for (const auto& f : records_of(read_jsonl(dir.path("j.jsonl")), "final")) {
    calls.insert(f.at("call"));
    if (f.at("result") == "failed") {
      CHECK(f.at("event") == "runtime.call.end");
      failing.insert(f.at("call"));
    }
  }
  REQUIRE(calls.size() == 5);
  REQUIRE(failing.size() == 2);

  std::ifstream in(junit);
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(xml);
  REQUIRE(xml.rfind("<?xml", 0) == 0);
  CHECK(count_of(xml, "<testsuites") == 1);
  CHECK(count_of(xml, "</testsuites>") == 1);
  CHECK(count_of(xml, "<testsuite ") == 1);
  CHECK(count_of(xml, "</testsuite>") == 1);
  const std::size_t cases = count_of(xml, "<testcase ");
  const std::size_t failures = count_of(xml, "<failure ");
  CHECK(count_of(xml, "</failure>") == failures);
  // One case per call plus the run's accounting and its one expectation.
  CHECK(cases == calls.size() + 2);
  CHECK(failures == failing.size());
  for (const char* tag : {"<testsuites ", "<testsuite "}) {
    INFO(tag);
    CHECK(xml_attribute(xml, tag, "tests") == static_cast<long>(cases));
    CHECK(xml_attribute(xml, tag, "failures") == static_cast<long>(failures));
  }
  double call_seconds = 0;
  for (const auto& call : calls) {
    INFO(call);
    // Named "vendor first-event..last-event call-id", timed by its attempts.
    const auto named = xml.find(" " + call + "\" classname=");
    REQUIRE(named != std::string::npos);
    const auto at = xml.rfind("<testcase ", named);
    REQUIRE(at != std::string::npos);
    const std::string prefix = "<testcase name=\"voiceflow runtime.session.start..";
    CHECK(xml.compare(at, prefix.size(), prefix) == 0);
    const auto time_at = xml.find("time=\"", named);
    REQUIRE(time_at != std::string::npos);
    call_seconds += std::stod(xml.substr(time_at + 6));
    const auto case_end = xml.find("<testcase ", at + 1);
    const std::string element = xml.substr(at, case_end - at);
    if (failing.count(call)) {
      CHECK(element.find("<failure ") != std::string::npos);
      CHECK(element.find("runtime.call.end") != std::string::npos);
      CHECK(element.find("503") != std::string::npos);
    } else {
      CHECK(element.find("<failure") == std::string::npos);
    }
  }
  CHECK(call_seconds > 0);  // real times, not time="0"
}

TEST_CASE("--junit lists the scenario's expectations, and a failed one fails", "[integration][reproduce]") {
  Receiver receiver([](const httplib::Request&, httplib::Response& res) { res.status = 503; });
  TempDir dir;
  const auto scenario = dir.write("junit-expect.json", R"({
    "name": "junit-expect", "speed": "max",
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 1 }, "delivery": { "retry": { "max_attempts": 1 } } }],
    "expect": { "failed": 0, "dropped": 0 }
  })");
  const std::string junit = dir.path("junit.xml");
  const auto result = run_callhook(run_args(scenario, receiver.url(), {"--junit", junit}));
  INFO(result.out << result.err);
  REQUIRE(result.exit_code == 1);
  std::ifstream in(junit);
  const std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  INFO(xml);
  // The call, the accounting, and one case per expectation; the call and
  // the "failed" expectation fail.
  CHECK(count_of(xml, "<testcase ") == 4);
  CHECK(xml_attribute(xml, "<testsuite ", "tests") == 4);
  CHECK(xml_attribute(xml, "<testsuite ", "failures") == 2);
  CHECK(xml.find("expect failed") != std::string::npos);
  CHECK(xml.find("expect dropped") != std::string::npos);
}

TEST_CASE("a scripted bug report arrives in exactly the scripted order, every time", "[integration][reproduce]") {
  const auto run = [] {
    Receiver receiver;
    const auto result = run_callhook(run_args("scenarios/bug-end-before-start.json", receiver.url() + "/hooks"));
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return receiver.received();
  };
  const auto first = run();
  const auto second = run();
  REQUIRE(first.size() == 5);
  const std::vector<std::string> order = {"runtime.session.start", "runtime.call.end", "runtime.call.start",
                                          "runtime.call.start", "runtime.session.end"};
  for (std::size_t i = 0; i < first.size(); ++i) {
    INFO("request " << i);
    CHECK(body_of(first[i]).at("type") == order[i]);
    CHECK(body_of(first[i]).at("data").at("userID") ==
          (i == 4 ? "+15550100" : body_of(first[0]).at("data").at("userID")));
  }
  CHECK(body_of(first[0]).at("data").at("userID") != "+15550100");
  CHECK(first[2].body == first[3].body);
  // All one call: the call events share the call's sid.
  CHECK(body_of(first[1]).at("data").at("metadata").at("callSid") ==
        body_of(first[2]).at("data").at("metadata").at("callSid"));

  REQUIRE(second.size() == first.size());
  for (std::size_t i = 0; i < first.size(); ++i) {
    INFO("request " << i);
    CHECK(first[i].body == second[i].body);
    CHECK(first[i].header("webhook-id") == second[i].header("webhook-id"));
    CHECK(first[i].header("svix-id") == second[i].header("svix-id"));
  }
}

TEST_CASE("--set changes one field of one event and nothing else", "[integration][reproduce]") {
  TempDir dir;
  const auto scenario = dir.write("set.json", R"({
    "name": "set", "seed": 6, "speed": "max", "concurrency": 1,
    "streams": [{ "vendor": "voiceflow", "calls": { "count": 3, "arrival": { "rate_per_s": 0.1 } },
                  "delivery": { "ordering": "strict" } }]
  })");
  const auto run = [&](const std::vector<std::string>& extra) {
    Receiver receiver;
    const auto result = run_callhook(run_args(scenario, receiver.url(), extra));
    INFO(result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return receiver.received();
  };
  const auto plain = run({});
  const auto set = run({"--set", "runtime.call.start:/data/userID=+15550123"});
  REQUIRE(plain.size() == 12);
  REQUIRE(set.size() == plain.size());
  int call_starts = 0;
  for (std::size_t i = 0; i < set.size(); ++i) {
    json changed = body_of(set[i]);
    const json original = body_of(plain[i]);
    INFO(set[i].body);
    if (changed.at("type") == "runtime.call.start") {
      ++call_starts;
      CHECK(changed.at("data").at("userID") == "+15550123");
      CHECK(original.at("data").at("userID") != "+15550123");
      changed["data"]["userID"] = original.at("data").at("userID");
      CHECK(changed == original);
    } else {
      CHECK(set[i].body == plain[i].body);
    }
  }
  CHECK(call_starts == 3);

  const auto sample = run_callhook({"sample", "voiceflow", "runtime.call.end", "--set", "/data/endReason=twiml"});
  INFO(sample.out << sample.err);
  REQUIRE(sample.exit_code == 0);
  CHECK(json::parse(sample.out).at("data").at("endReason") == "twiml");
  const auto unset = run_callhook({"sample", "voiceflow", "runtime.call.end"});
  REQUIRE(unset.exit_code == 0);
  CHECK(json::parse(unset.out).at("data").at("endReason") != "twiml");
}
