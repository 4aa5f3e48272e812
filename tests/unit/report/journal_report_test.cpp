#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <string>

#include "journal/journal.hpp"
#include "report/journal_report.hpp"

using namespace callhook;
using namespace callhook::report;

namespace {

// A journal file removed at the end of the test.
struct TempPath {
  std::string path = "journal_report_test_" + std::to_string(reinterpret_cast<std::uintptr_t>(this)) + ".jsonl";
  ~TempPath() { std::remove(path.c_str()); }
};

journal::AttemptRecord attempt(std::string_view key, std::string_view call, int number, int status,
                               std::int64_t offset_us, std::int64_t planned_ms, int copy = 0) {
  journal::AttemptRecord a;
  a.delivery = key;
  a.attempt = number;
  a.call = call;
  a.event = "runtime.call.start";
  a.copy = copy;
  a.method = "POST";
  a.url = "http://127.0.0.1:9/hooks?x=1";
  a.headers = {{"Content-Type", "application/json"}};
  a.body = "{\"call\":1}";
  a.planned_ms = planned_ms;
  a.due_ms = planned_ms;
  a.status = status;
  a.verdict = status / 100 == 2 ? "delivered" : "failed";
  a.will_retry = status / 100 != 2;
  a.wall_offset_us = offset_us;
  a.wall_latency_us = 1000;
  a.response = "{\"ok\":true}";
  return a;
}

journal::FinalRecord final_record(std::string_view key, std::string_view call, std::string_view result, int attempts,
                                  std::int64_t planned_ms) {
  journal::FinalRecord f;
  f.delivery = key;
  f.call = call;
  f.event = "runtime.call.start";
  f.result = result;
  f.attempts = attempts;
  f.planned_ms = planned_ms;
  return f;
}

// Call A: a 503 then a 200 (a retry); call B: two deliveries arriving in
// reverse planned order (a reorder) and a dropped one; calls C0..C9: clean.
void write_journal(const std::string& path, bool cut) {
  journal::JournalWriter writer(path);
  writer.run_header("unit", 9, 0, 1000, "2026-01-01T00:00:00.000Z");
  writer.attempt(attempt("0.0.0", "A", 1, 503, 1000, 1000));
  writer.attempt(attempt("0.0.0", "A", 2, 200, 5000, 1000));
  writer.final_record(final_record("0.0.0", "A", "delivered", 2, 1000));
  writer.attempt(attempt("0.1.1", "B", 1, 200, 6000, 3000));
  writer.final_record(final_record("0.1.1", "B", "delivered", 1, 3000));
  writer.attempt(attempt("0.1.0", "B", 1, 200, 7000, 2000));
  writer.final_record(final_record("0.1.0", "B", "delivered", 1, 2000));
  writer.final_record(final_record("0.1.2", "B", "dropped", 0, 4000));
  for (int i = 0; i < 10; ++i) {
    const std::string call = "C" + std::to_string(i), key = "0." + std::to_string(i + 2) + ".0";
    writer.attempt(attempt(key, call, 1, 204, 8000 + i * 1000, 5000));
    writer.final_record(final_record(key, call, "delivered", 1, 5000));
  }
  writer.finding("B", "runtime.call.start", "answer was not JSON");
  if (!cut) {
    writer.end({15, 14, 0, 1});
  } else {
    writer.attempt(attempt("0.20.0", "D", 1, 200, 30000, 9000));  // never final
  }
  writer.flush();
}

}  // namespace

TEST_CASE("journal report: the numbers and the timeline of a whole run") {
  TempPath file;
  write_journal(file.path, false);
  TimelineOptions options;
  options.sample_calls = 4;
  const JournalReport report = read_journal_report(file.path, options);
  CHECK_FALSE(report.cut);
  CHECK_FALSE(report.info.interrupted);
  CHECK(report.info.scenario_name == "unit");
  CHECK(report.info.seed == 9);
  CHECK(report.info.started_at == "2026-01-01T00:00:00.000Z");
  CHECK(report.info.targets == std::vector<std::string>{"http://127.0.0.1:9/hooks"});
  const Counts& totals = report.stats.totals();
  CHECK(totals.planned == 14);
  CHECK(totals.sent == 14);
  CHECK(totals.delivered == 13);
  CHECK(totals.dropped == 1);
  CHECK(totals.retried == 1);
  CHECK(totals.out_of_order == 1);
  CHECK(report.stats.findings_total() == 1);
  CHECK(report.stats.unaccounted() == 0);

  const Timeline& timeline = report.timeline;
  CHECK(timeline.total_calls == 12);
  CHECK(timeline.anomalous_calls == 2);
  CHECK(timeline.anomalous_shown == 2);
  CHECK(timeline.normal_shown == 4);  // a sample of the ten clean calls
  REQUIRE(timeline.calls.size() == 6);
  const TimelineCall& a = timeline.calls[0];
  CHECK(a.id == "A");
  CHECK(a.anomalies == std::vector<std::string>{"retry", "error"});
  REQUIRE(a.deliveries.size() == 1);
  REQUIRE(a.deliveries[0].attempts.size() == 2);
  CHECK(a.deliveries[0].attempts[0].status == 503);
  CHECK(a.deliveries[0].attempts[1].sent_us == 5000);
  CHECK(a.deliveries[0].body == "{\"call\":1}");
  const TimelineCall& b = timeline.calls[1];
  CHECK(b.id == "B");
  CHECK(b.anomalies == std::vector<std::string>{"drop", "reorder", "finding"});
  REQUIRE(b.deliveries.size() == 3);
  CHECK(b.deliveries[1].out_of_order);
  CHECK(b.deliveries[2].result == "dropped");
  CHECK(b.deliveries[2].at_us == 7000);  // decided after the last attempt seen
  CHECK(b.findings == std::vector<std::string>{"runtime.call.start: answer was not JSON"});

  // The sample is seeded: the same journal gives the same calls.
  const JournalReport again = read_journal_report(file.path, options);
  REQUIRE(again.timeline.calls.size() == timeline.calls.size());
  for (std::size_t i = 0; i < timeline.calls.size(); ++i) CHECK(again.timeline.calls[i].id == timeline.calls[i].id);
}

TEST_CASE("journal report: a journal cut by an interrupt is read up to the cut, marked interrupted") {
  TempPath file;
  write_journal(file.path, true);
  {
    std::ofstream out(file.path, std::ios::app);
    out << "{\"kind\":\"attempt\",\"delivery\":\"0.21";  // the last line, cut short
  }
  const JournalReport report = read_journal_report(file.path);
  CHECK(report.cut);
  CHECK(report.info.interrupted);
  CHECK(report.stats.totals().cancelled == 1);  // D's delivery never ended
  CHECK(report.stats.unaccounted() == 0);
  CHECK(report.timeline.total_calls == 13);
}

TEST_CASE("journal report: a bad line before the end is an error naming the line") {
  TempPath file;
  write_journal(file.path, false);
  std::string text;
  {
    std::ifstream in(file.path);
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  text.insert(text.find('\n') + 1, "{\"kind\":\"attempt\"}\n");
  {
    std::ofstream out(file.path);
    out << text;
  }
  CHECK_THROWS_WITH(read_journal_report(file.path), Catch::Contains(":2: /delivery"));
}

TEST_CASE("journal report: out of order by each delivery's place in its call's lifecycle, as the run judged it") {
  TempPath file;
  {
    journal::JournalWriter writer(file.path);
    writer.run_header("unit", 9, 0, 1000, "2026-01-01T00:00:00.000Z");
    // A faulted session: keys follow the order the faults left (end first),
    // seq the vendor's plan (start 0, end 1). The end's copy, delivered
    // after the start, shares the end's place: no reorder.
    const auto delivered = [&](const std::string& key, std::string_view call, int copy, std::int64_t seq,
                               std::int64_t at_us) {
      writer.attempt(attempt(key, call, 1, 200, at_us, 2000, copy));
      auto f = final_record(key, call, "delivered", 1, 2000);
      f.copy = copy;
      f.seq = seq;
      writer.final_record(f);
    };
    delivered("0.0.0", "S", 0, 1, 1000);  // the end
    delivered("0.0.1", "S", 0, 0, 2000);  // the start, after its end: out of order
    delivered("0.0.2", "S", 1, 1, 3000);  // the end's copy: in its place
    // The script: two calls, each its own lifecycle. X's end then its
    // start; Y's start comes after X's end and is in order.
    delivered("script.0", "X", 0, 2, 4000);
    delivered("script.1", "Y", 0, 0, 5000);
    delivered("script.2", "X", 0, 0, 6000);
    journal::EndRecord end;
    end.planned = 6;
    end.delivered = 6;
    writer.end(end);
    writer.flush();
  }
  const JournalReport report = read_journal_report(file.path);
  CHECK(report.stats.totals().out_of_order == 2);
  std::vector<std::string> reordered;
  for (const TimelineCall& call : report.timeline.calls)
    for (const TimelineDelivery& d : call.deliveries)
      if (d.out_of_order) reordered.push_back(d.key);
  std::sort(reordered.begin(), reordered.end());
  CHECK(reordered == std::vector<std::string>{"0.0.1", "script.2"});
}

TEST_CASE("journal report: probes and refusals come back as the run counted them, marked on the timeline") {
  TempPath file;
  {
    journal::JournalWriter writer(file.path);
    writer.run_header("unit", 9, 0, 1000, "2026-01-01T00:00:00.000Z");
    // P: refused as it had to be (a bad signature and a 401), then a failed probe.
    journal::AttemptRecord refused = attempt("0.0.0", "P", 1, 401, 1000, 1000);
    refused.verdict = "rejected";
    refused.will_retry = false;
    refused.faults = {"bad_signature"};
    writer.attempt(refused);
    journal::FinalRecord refused_final = final_record("0.0.0", "P", "rejected", 1, 1000);
    refused_final.faults = {"bad_signature"};
    writer.final_record(refused_final);
    journal::ProbeRecord probe;
    probe.call_id = "P";
    probe.url = "http://127.0.0.1:9/calls/P";
    probe.message = "/active: expected false, got true";
    probe.pointer = "/active";
    probe.expected = "false";
    probe.got = "true";
    probe.answer = "{\"active\":true}";
    probe.wall_offset_us = 9000;
    writer.probe(probe);
    // Q: a stale timestamp accepted with a 200, and its finding.
    journal::AttemptRecord accepted = attempt("0.1.0", "Q", 1, 200, 2000, 2000);
    accepted.faults = {"stale_timestamp"};
    writer.attempt(accepted);
    journal::FinalRecord accepted_final = final_record("0.1.0", "Q", "delivered", 1, 2000);
    accepted_final.faults = {"stale_timestamp"};
    writer.final_record(accepted_final);
    writer.finding("Q", "runtime.call.start", "accepted_stale_timestamp: status 200");
    journal::EndRecord end;
    end.planned = 2;
    end.delivered = 1;
    end.rejected_as_expected = 1;
    writer.end(end);
    writer.flush();
  }
  const JournalReport report = read_journal_report(file.path);
  const Counts& totals = report.stats.totals();
  CHECK(totals.rejected_as_expected == 1);
  CHECK(totals.accepted_stale_timestamp == 1);
  CHECK(totals.failed == 0);
  CHECK(totals.accounted());
  CHECK(report.stats.errors().empty());
  CHECK(report.stats.probes_total() == 1);
  CHECK(report.stats.probe_failures() == 1);
  REQUIRE(report.stats.probes().size() == 1);
  CHECK(report.stats.probes()[0].got == "true");
  REQUIRE(report.timeline.calls.size() == 2);
  const TimelineCall& p = report.timeline.calls[0];
  CHECK(p.id == "P");
  CHECK(p.anomalies == std::vector<std::string>{"probe", "rejected", "fault"});
  REQUIRE(p.probes.size() == 1);
  CHECK(p.probes[0].message == "/active: expected false, got true");
  CHECK(p.probes[0].answer == "{\"active\":true}");
  CHECK(p.deliveries[0].result == "rejected");
  bool probe_failure_listed = false;
  for (const CallOutcome& call : report.stats.calls())
    for (const std::string& failure : call.failures)
      if (call.call_id == "P" && failure == "probe http://127.0.0.1:9/calls/P: /active: expected false, got true")
        probe_failure_listed = true;
  CHECK(probe_failure_listed);
}
