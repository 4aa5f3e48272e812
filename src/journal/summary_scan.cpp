#include "journal/summary_scan.hpp"

#include <charconv>
#include <climits>
#include <cstring>

namespace callhook::journal {
namespace {

class Scanner {
 public:
  explicit Scanner(std::string_view text) : m_text(text) {}

  void space() {
    while (m_at < m_text.size() && (m_text[m_at] == ' ' || m_text[m_at] == '\t')) ++m_at;
  }
  bool take(char c) {
    space();
    if (m_at < m_text.size() && m_text[m_at] == c) {
      ++m_at;
      return true;
    }
    return false;
  }
  char peek() {
    space();
    return m_at < m_text.size() ? m_text[m_at] : '\0';
  }
  bool done() {
    space();
    return m_at == m_text.size();
  }

  // A string into `out` (simple escapes decoded; \u escapes are left to the
  // strict reader).
  bool string(std::string* out) {
    if (!take('"')) return false;
    if (out == nullptr) return skip_string_rest();
    out->clear();
    for (;;) {
      const std::size_t stop = m_text.find_first_of("\"\\", m_at);
      if (stop == std::string_view::npos) return false;
      if (out != nullptr) out->append(m_text.data() + m_at, stop - m_at);
      m_at = stop + 1;
      if (m_text[stop] == '"') return true;
      if (m_at >= m_text.size()) return false;
      const char escaped = m_text[m_at++];
      switch (escaped) {
        case '"':
        case '\\':
        case '/': *out += escaped; break;
        case 'n': *out += '\n'; break;
        case 't': *out += '\t'; break;
        case 'r': *out += '\r'; break;
        case 'b': *out += '\b'; break;
        case 'f': *out += '\f'; break;
        default: return false;
      }
    }
  }

  // After the opening quote: to past the closing one, a quote being closing
  // when an even number of backslashes precede it. memchr keeps long
  // bodies cheap.
  bool skip_string_rest() {
    const char* data = m_text.data();
    std::size_t at = m_at;
    for (;;) {
      const void* found = std::memchr(data + at, '"', m_text.size() - at);
      if (found == nullptr) return false;
      const auto quote = static_cast<std::size_t>(static_cast<const char*>(found) - data);
      std::size_t backslashes = 0;
      while (quote - backslashes > m_at && data[quote - backslashes - 1] == '\\') ++backslashes;
      at = quote + 1;
      if (backslashes % 2 == 0) {
        m_at = at;
        return true;
      }
    }
  }

  bool integer(std::int64_t& out) {
    space();
    const char* begin = m_text.data() + m_at;
    const char* end = m_text.data() + m_text.size();
    const auto [ptr, ec] = std::from_chars(begin, end, out);
    if (ec != std::errc() || (ptr < end && (*ptr == '.' || *ptr == 'e' || *ptr == 'E'))) return false;
    m_at += static_cast<std::size_t>(ptr - begin);
    return true;
  }

  bool boolean(bool& out) {
    space();
    if (m_text.compare(m_at, 4, "true") == 0) {
      out = true;
      m_at += 4;
      return true;
    }
    if (m_text.compare(m_at, 5, "false") == 0) {
      out = false;
      m_at += 5;
      return true;
    }
    return false;
  }

  bool strings(std::vector<std::string>& out) {
    out.clear();
    if (!take('[')) return false;
    if (take(']')) return true;
    do {
      out.emplace_back();
      if (!string(&out.back())) return false;
    } while (take(','));
    return take(']');
  }

  // Any value, not kept: arrays and objects by bracket depth, strings skipped whole.
  bool skip() {
    const char c = peek();
    if (c == '"') return string(nullptr);
    if (c == '[' || c == '{') {
      int depth = 0;
      while (m_at < m_text.size()) {
        const char d = m_text[m_at];
        if (d == '"') {
          if (!string(nullptr)) return false;
          continue;
        }
        ++m_at;
        if (d == '[' || d == '{') ++depth;
        if ((d == ']' || d == '}') && --depth == 0) return true;
      }
      return false;
    }
    // A number, true, false or null.
    const std::size_t start = m_at;
    while (m_at < m_text.size() && std::strchr(",}] \t", m_text[m_at]) == nullptr) ++m_at;
    return m_at > start;
  }

 private:
  std::string_view m_text;
  std::size_t m_at = 0;
};

using Kind = RecordSummary::Kind;

// The keys each kind needs, as bits: a record missing one is read strictly.
enum Key : std::uint32_t {
  k_delivery = 1U << 0,
  k_attempt = 1U << 1,
  k_stream = 1U << 2,
  k_call = 1U << 3,
  k_event = 1U << 4,
  k_copy = 1U << 5,
  k_url = 1U << 6,
  k_planned_ms = 1U << 7,
  k_due_ms = 1U << 8,
  k_status = 1U << 9,
  k_error = 1U << 10,
  k_verdict = 1U << 11,
  k_will_retry = 1U << 12,
  k_faults = 1U << 13,
  k_wall_offset = 1U << 14,
  k_wall_latency = 1U << 15,
  k_result = 1U << 16,
  k_attempts = 1U << 17,
  k_reason = 1U << 18,
  k_message = 1U << 19,
  k_planned = 1U << 20,
  k_delivered = 1U << 21,
  k_failed = 1U << 22,
  k_dropped = 1U << 23,
  k_method = 1U << 24,
  k_headers = 1U << 25,
  k_body = 1U << 26,
  k_response = 1U << 27,
};

constexpr std::uint32_t required(Kind kind) {
  switch (kind) {
    case Kind::Attempt:
      return k_delivery | k_attempt | k_stream | k_call | k_event | k_copy | k_method | k_url | k_headers | k_body |
             k_planned_ms | k_due_ms | k_status | k_error | k_verdict | k_will_retry | k_faults | k_wall_offset |
             k_wall_latency | k_response;
    case Kind::Final:
      return k_delivery | k_stream | k_call | k_event | k_copy | k_result | k_attempts | k_planned_ms | k_faults |
             k_reason;
    case Kind::Finding: return k_call | k_event | k_message;
    case Kind::End: return k_planned | k_delivered | k_failed | k_dropped;
  }
  return 0;
}

bool small(Scanner& s, int& out, int min) {
  std::int64_t v = 0;
  if (!s.integer(v) || v < min) return false;
  out = static_cast<int>(std::min<std::int64_t>(v, INT_MAX));
  return true;
}

// One key's value into the summary; false on a type the strict reader would reject.
bool field(Scanner& s, std::string_view key, RecordSummary& r, std::uint32_t& seen) {
  std::int64_t v = 0;
  const auto mark = [&](Key k) {
    seen |= k;
    return true;
  };
  if (key == "delivery") return s.string(&r.delivery) && mark(k_delivery);
  if (key == "attempt") return small(s, r.attempt, 1) && mark(k_attempt);
  if (key == "stream") return s.integer(v) && v >= 0 && (r.stream = static_cast<std::size_t>(v), mark(k_stream));
  if (key == "call") return s.string(&r.call) && mark(k_call);
  if (key == "event") return s.string(&r.event) && mark(k_event);
  if (key == "copy") return small(s, r.copy, 0) && mark(k_copy);
  if (key == "seq") return s.integer(r.seq) && r.seq >= 0;
  if (key == "method") return s.peek() == '"' && s.skip() && mark(k_method);
  if (key == "url") return s.string(&r.url) && mark(k_url);
  if (key == "headers") return s.peek() == '[' && s.skip() && mark(k_headers);
  if (key == "body") return s.peek() == '"' && s.skip() && mark(k_body);
  if (key == "response") return s.peek() == '"' && s.skip() && mark(k_response);
  if (key == "planned_ms") return s.integer(r.planned_ms) && mark(k_planned_ms);
  if (key == "due_ms") return s.integer(r.due_ms) && mark(k_due_ms);
  if (key == "status") return small(s, r.status, 0) && mark(k_status);
  if (key == "error") return s.string(&r.error) && mark(k_error);
  if (key == "verdict") return s.string(&r.verdict) && mark(k_verdict);
  if (key == "will_retry") return s.boolean(r.will_retry) && mark(k_will_retry);
  if (key == "faults") return s.strings(r.faults) && mark(k_faults);
  if (key == "wall_offset_us") return s.integer(r.wall_offset_us) && mark(k_wall_offset);
  if (key == "wall_latency_us") return s.integer(r.wall_latency_us) && mark(k_wall_latency);
  if (key == "result") return s.string(&r.result) && mark(k_result);
  if (key == "attempts") return small(s, r.attempts, 0) && mark(k_attempts);
  if (key == "reason") return s.string(&r.reason) && mark(k_reason);
  if (key == "message") return s.string(&r.message) && mark(k_message);
  if (key == "planned") return s.integer(r.planned) && r.planned >= 0 && mark(k_planned);
  if (key == "delivered") return s.integer(r.delivered) && r.delivered >= 0 && mark(k_delivered);
  if (key == "failed") return s.integer(r.failed) && r.failed >= 0 && mark(k_failed);
  if (key == "dropped") return s.integer(r.dropped) && r.dropped >= 0 && mark(k_dropped);
  return s.skip();  // keys a later version adds
}

}  // namespace

bool scan_summary(std::string_view line, RecordSummary& out) {
  Scanner s(line);
  if (!s.take('{')) return false;
  std::string key, kind;
  // "kind" comes first in every record JournalWriter writes.
  if (!s.string(&key) || key != "kind" || !s.take(':') || !s.string(&kind)) return false;
  if (kind == "attempt")
    out.kind = Kind::Attempt;
  else if (kind == "final")
    out.kind = Kind::Final;
  else if (kind == "finding")
    out.kind = Kind::Finding;
  else if (kind == "end")
    out.kind = Kind::End;
  else
    return false;
  out.faults.clear();
  out.seq = -1;
  std::uint32_t seen = 0;
  while (s.take(',')) {
    if (!s.string(&key) || !s.take(':') || !field(s, key, out, seen)) return false;
  }
  if (!s.take('}') || !s.done()) return false;
  const std::uint32_t need = required(out.kind);
  return (seen & need) == need;
}

RecordSummary summary_of(const Entry& entry) {
  RecordSummary r;
  if (const auto* a = std::get_if<AttemptEntry>(&entry)) {
    r.kind = Kind::Attempt;
    r.delivery = a->delivery;
    r.attempt = a->attempt;
    r.stream = a->stream;
    r.call = a->call;
    r.event = a->event;
    r.copy = a->copy;
    r.url = a->url;
    r.planned_ms = a->planned_ms;
    r.due_ms = a->due_ms;
    r.status = a->status;
    r.error = a->error;
    r.verdict = a->verdict;
    r.will_retry = a->will_retry;
    r.faults = a->faults;
    r.wall_offset_us = a->wall_offset_us;
    r.wall_latency_us = a->wall_latency_us;
  } else if (const auto* f = std::get_if<FinalEntry>(&entry)) {
    r.kind = Kind::Final;
    r.delivery = f->delivery;
    r.stream = f->stream;
    r.call = f->call;
    r.event = f->event;
    r.copy = f->copy;
    r.seq = f->seq;
    r.result = f->result;
    r.attempts = f->attempts;
    r.planned_ms = f->planned_ms;
    r.faults = f->faults;
    r.reason = f->reason;
  } else if (const auto* finding = std::get_if<FindingEntry>(&entry)) {
    r.kind = Kind::Finding;
    r.call = finding->call;
    r.event = finding->event;
    r.message = finding->message;
  } else if (const auto* end = std::get_if<EndEntry>(&entry)) {
    r.kind = Kind::End;
    r.planned = end->planned;
    r.delivered = end->delivered;
    r.failed = end->failed;
    r.dropped = end->dropped;
  }
  return r;
}

}  // namespace callhook::journal
