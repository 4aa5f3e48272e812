#pragma once
// The journal's records, each with its one field table. A record type is a
// template over its text type: string_view for the records the engine
// writes (views into its items), std::string for the entries a reader gives
// back. `fields(f, r...)` calls f(Field<"key", ...>{}, r.member...) once per
// field, in the order the writer writes them, over one record (writer,
// reader, scanner) or several of one kind at once (copying, comparing).
// A new field is a member and one line in its table.
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "journal/fields.hpp"
#include "util/header.hpp"

namespace callhook::journal {

// Responses are kept as an excerpt of at most this many bytes (cut at a
// UTF-8 character boundary).
constexpr std::size_t k_response_excerpt_bytes = 512;
// Probe answers are kept up to this many bytes (journal, reports).
constexpr std::size_t k_probe_answer_bytes = 64 * 1024;

// One HTTP try of a planned delivery.
template <class Text>
struct BasicAttempt {
  static constexpr std::string_view kind = "attempt";
  Text delivery;    // the planned delivery's key, stable across reruns
  int attempt = 1;  // 1-based
  std::size_t stream = 0;
  Text call;
  Text event;
  int copy = 0;  // 0 = original, n = n-th duplicate
  Text method;
  Text url;
  util::Headers headers;  // as written, in order: Host, Connection, Content-Length and signatures included
  Text body;
  std::int64_t planned_ms = 0;  // virtual, before faults moved it
  std::int64_t due_ms = 0;      // virtual, this attempt
  int status = 0;               // 0 when no answer
  Text error;                   // "" or the transport error kind ("timeout", "connect", ...)
  Text verdict;                 // "delivered", "too_slow", "failed" or "rejected" (refused as it had to be)
  bool will_retry = false;
  bool resent = false;  // a try lost on a stale keep-alive connection, sent again by the transport
  // The Retry-After the answer asked for, in ms, when it was over the
  // policy's retry_after_max_ms and the wait was cut to that; -1 otherwise
  // (and then the key is not written).
  std::int64_t retry_after_clamped_ms = -1;
  std::vector<std::string> faults;
  std::int64_t wall_offset_us = 0;  // send time since the run started
  std::int64_t wall_latency_us = 0;
  std::string response;  // the answer's body (longer ones are cut when written)

  bool operator==(const BasicAttempt&) const = default;

  template <class F, class... R>
  static void fields(F&& f, R&... r) {
    f(Field<"delivery">{}, r.delivery...);
    f(Int<"attempt", 1>{}, r.attempt...);
    f(Int<"stream", 0>{}, r.stream...);
    f(Field<"call">{}, r.call...);
    f(Field<"event">{}, r.event...);
    f(Int<"copy", 0>{}, r.copy...);
    f(Field<"method">{}, r.method...);
    f(Field<"url">{}, r.url...);
    f(Bulk<"headers">{}, r.headers...);
    f(Bulk<"body">{}, r.body...);
    f(Field<"planned_ms">{}, r.planned_ms...);
    f(Field<"due_ms">{}, r.due_ms...);
    f(Int<"status", 0>{}, r.status...);
    f(Field<"error">{}, r.error...);
    f(Field<"verdict">{}, r.verdict...);
    f(Field<"will_retry">{}, r.will_retry...);
    f(Field<"resent", Presence::IfTrue>{}, r.resent...);
    f(Field<"retry_after_clamped_ms", Presence::IfSet, 0>{}, r.retry_after_clamped_ms...);
    f(Field<"faults">{}, r.faults...);
    f(Field<"wall_offset_us">{}, r.wall_offset_us...);
    f(Field<"wall_latency_us">{}, r.wall_latency_us...);
    f(Field<"response", Presence::Always, INT64_MIN, k_response_excerpt_bytes, true>{}, r.response...);
  }

  // The same record over views into this one (for writing it again).
  BasicAttempt<std::string_view> record() const;
};

// How one planned delivery ended.
template <class Text>
struct BasicFinal {
  static constexpr std::string_view kind = "final";
  Text delivery;
  std::size_t stream = 0;
  Text call;
  Text event;
  int copy = 0;
  std::int64_t seq = -1;  // its place in its call's lifecycle (copies share it); -1: absent (older journals)
  Text result;            // "delivered", "rejected", "failed", "dropped" or "cancelled"
  int attempts = 0;
  std::int64_t planned_ms = 0;
  std::vector<std::string> faults;
  Text reason;  // why it failed, was refused or was dropped; "" when delivered

  bool operator==(const BasicFinal&) const = default;

  template <class F, class... R>
  static void fields(F&& f, R&... r) {
    f(Field<"delivery">{}, r.delivery...);
    f(Int<"stream", 0>{}, r.stream...);
    f(Field<"call">{}, r.call...);
    f(Field<"event">{}, r.event...);
    f(Int<"copy", 0>{}, r.copy...);
    f(Field<"seq", Presence::IfSet, 0>{}, r.seq...);
    f(Field<"result">{}, r.result...);
    f(Int<"attempts", 0>{}, r.attempts...);
    f(Field<"planned_ms">{}, r.planned_ms...);
    f(Field<"faults">{}, r.faults...);
    f(Field<"reason">{}, r.reason...);
  }

  BasicFinal<std::string_view> record() const;
};

// Something the receiver did that the real vendor would reject, or that a
// correct receiver must not do (accept a bad signature).
struct FindingEntry {
  static constexpr std::string_view kind = "finding";
  std::string call;
  std::string event;
  std::string message;

  bool operator==(const FindingEntry&) const = default;

  template <class F, class... R>
  static void fields(F&& f, R&... r) {
    f(Field<"call">{}, r.call...);
    f(Field<"event">{}, r.event...);
    f(Field<"message">{}, r.message...);
  }
};

// One state probe of one call after it ended: the request, the last answer,
// the verdict and the first mismatch. Also the report's ProbeResult.
struct ProbeRecord {
  static constexpr std::string_view kind = "probe";
  std::string call_id;
  std::string url;
  bool passed = false;
  std::string message;  // one line: "/active: expected false, got true", "status 500", "timeout"
  std::string method = "GET";
  int status = 0;      // of the last answer; 0 when none came
  std::string error;   // "" or the transport error kind of the last request
  std::string answer;  // the last answer's body, at most k_probe_answer_bytes
  // The first mismatch ("" when the probe passed or failed before judging):
  std::string pointer;               // where in the answer, a JSON pointer
  std::string expected;              // what the probe expected there, as the probe says it
  std::string got;                   // what the answer held there ("missing" when absent)
  int polls = 1;                     // requests made (until_ms polls until a match or the deadline)
  std::int64_t wall_offset_us = 0;   // the first request's send time since the run started
  std::int64_t wall_latency_us = 0;  // from the first request to the last answer

  bool operator==(const ProbeRecord&) const = default;

  template <class F, class... R>
  static void fields(F&& f, R&... r) {
    f(Field<"call_id">{}, r.call_id...);
    f(Field<"url">{}, r.url...);
    f(Field<"method">{}, r.method...);
    f(Int<"status", 0>{}, r.status...);
    f(Field<"error">{}, r.error...);
    f(Field<"passed">{}, r.passed...);
    f(Field<"message">{}, r.message...);
    f(Field<"pointer">{}, r.pointer...);
    f(Field<"expected">{}, r.expected...);
    f(Field<"got">{}, r.got...);
    f(Int<"polls", 0>{}, r.polls...);
    f(Field<"wall_offset_us">{}, r.wall_offset_us...);
    f(Field<"wall_latency_us">{}, r.wall_latency_us...);
    f(Field<"answer", Presence::Always, INT64_MIN, k_probe_answer_bytes, true>{}, r.answer...);
  }
};

// The last line: the accounting totals, and whether the run was interrupted.
struct EndRecord {
  static constexpr std::string_view kind = "end";
  std::int64_t planned = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t dropped = 0;
  std::int64_t cancelled = 0;  // absent in journals of older versions
  bool interrupted = false;
  std::int64_t rejected_as_expected = 0;  // refused as they had to be (bad signature, stale timestamp)

  bool operator==(const EndRecord&) const = default;

  template <class F, class... R>
  static void fields(F&& f, R&... r) {
    f(Int<"planned", 0>{}, r.planned...);
    f(Int<"delivered", 0>{}, r.delivered...);
    f(Int<"failed", 0>{}, r.failed...);
    f(Int<"dropped", 0>{}, r.dropped...);
    f(Field<"cancelled", Presence::Since, 0>{}, r.cancelled...);
    f(Field<"interrupted", Presence::Since>{}, r.interrupted...);
    f(Field<"rejected_as_expected", Presence::Since, 0>{}, r.rejected_as_expected...);
  }
};

using AttemptRecord = BasicAttempt<std::string_view>;
using AttemptEntry = BasicAttempt<std::string>;
using FinalRecord = BasicFinal<std::string_view>;
using FinalEntry = BasicFinal<std::string>;
using ProbeEntry = ProbeRecord;
using EndEntry = EndRecord;

// f(field, a.member, b.member...) for every field of records of one kind.
template <class F, class First, class... Rest>
void for_each_field(F&& f, First& first, Rest&... rest) {
  std::remove_const_t<First>::fields(f, first, rest...);
}

// Copies every field of `from` into `to` (records of one kind, any text type).
template <class To, class From>
void copy_fields(To& to, const From& from) {
  for_each_field([](auto, auto& a, const auto& b) { a = b; }, to, from);
}

template <class Text>
BasicAttempt<std::string_view> BasicAttempt<Text>::record() const {
  BasicAttempt<std::string_view> out;
  copy_fields(out, *this);
  return out;
}

template <class Text>
BasicFinal<std::string_view> BasicFinal<Text>::record() const {
  BasicFinal<std::string_view> out;
  copy_fields(out, *this);
  return out;
}

}  // namespace callhook::journal
