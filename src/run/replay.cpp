// Replay. The journal lists attempts as they ended, not as they were sent,
// so a window of records is kept in a heap by recorded send time (then by
// position in the file) and each record leaves it at its moment. A record
// whose call still waits for an answer queues behind that call instead:
// a call's requests are one after another, as the recorded run's timeline
// ordering sent them, so parallel connections cannot let a call's end
// overtake its start. Calls never wait for each other.
#include "run/replay.hpp"

#include <algorithm>
#include <deque>
#include <unordered_map>

#include "delivery/signing.hpp"
#include "journal/reader.hpp"
#include "run/bad_input.hpp"
#include "scenario/fault_names.hpp"
#include "util/time_format.hpp"

namespace callhook::run {
namespace {

// Results never arrive further apart than the number of requests in
// flight, so a window this size restores the send order while streaming
// the journal.
constexpr std::size_t k_reorder_window = 8192;
constexpr std::size_t k_max_in_flight = 1024;
constexpr std::size_t k_max_seen = 1000;
constexpr std::int64_t k_answer_timeout_ms = 30000;

struct Pending {
  journal::AttemptEntry attempt;
  std::uint64_t order = 0;  // position in the journal: ties at one send time keep the file's order
};

struct Later {
  bool operator()(const Pending& a, const Pending& b) const {
    return a.attempt.wall_offset_us != b.attempt.wall_offset_us ? a.attempt.wall_offset_us > b.attempt.wall_offset_us
                                                                : a.order > b.order;
  }
};

// A call with a request on the wire, and its requests due meanwhile.
struct CallLine {
  std::deque<journal::AttemptEntry> waiting;
};

std::string retarget(const std::string& url, const std::optional<util::Url>& target) {
  if (!target) return url;
  auto parsed = util::parse_url(url);
  if (!parsed) return url;
  return target->origin() + parsed->target;
}

class Player {
 public:
  Player(const ReplayOptions& options, delivery::Transport& transport, const util::Clock& clock)
      : m_options(options), m_transport(transport), m_clock(clock), m_reader(options.journal) {
    m_run_started_ms = util::parse_iso8601(m_reader.run().wall_started_at);
  }

  ReplayResult run() {
    const util::MonoUs start = m_clock.now_us();
    while (m_more || !m_window.empty() || !m_lines.empty()) {
      fill_window();
      std::int64_t wait_us = 100000;
      while (!m_window.empty() && m_transport.in_flight() < k_max_in_flight) {
        const util::MonoUs due = due_of(m_window.front().attempt, start);
        const util::MonoUs now = m_clock.now_us();
        if (due > now) {
          wait_us = due - now;
          break;
        }
        std::pop_heap(m_window.begin(), m_window.end(), Later{});
        take(m_window.back().attempt);
        m_window.pop_back();
        wait_us = 0;
      }
      if (!m_more && m_window.empty() && m_lines.empty()) break;
      collect(wait_us);
    }
    if (m_reader.cut()) m_result.cut_line = m_reader.line();
    return std::move(m_result);
  }

 private:
  // Reads records until the window is full or the journal ends.
  void fill_window() {
    while (m_more && m_window.size() < k_reorder_window) {
      auto entry = m_reader.next();
      if (!entry) {
        m_more = false;
        if (m_last_of_delivery) push(std::move(*m_last_of_delivery));
        m_last_of_delivery.reset();
        return;
      }
      auto* a = std::get_if<journal::AttemptEntry>(&*entry);
      if (!a) continue;
      if (!m_options.delivery.empty()) {
        // Its attempts come in order: the last one read is the last sent.
        if (a->delivery == m_options.delivery)
          m_last_of_delivery = std::move(*a);
        else if (!m_last_of_delivery)
          note(m_result.deliveries_seen, a->delivery);
        continue;
      }
      if (m_options.only.empty() || a->call == m_options.only) {
        push(std::move(*a));
      } else if (m_result.sent == 0) {
        note(m_result.calls_seen, a->call);
      }
    }
  }

  void push(journal::AttemptEntry attempt) {
    m_window.push_back(Pending{std::move(attempt), m_read++});
    std::push_heap(m_window.begin(), m_window.end(), Later{});
  }

  // A name for a did-you-mean, kept once; up to k_max_seen of them.
  void note(std::vector<std::string>& seen, const std::string& name) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) return;
    if (seen.size() < k_max_seen)
      seen.push_back(name);
    else
      m_result.seen_capped = true;
  }

  util::MonoUs due_of(const journal::AttemptEntry& a, util::MonoUs start) const {
    if (m_options.speed <= 0 || !m_options.delivery.empty()) return 0;
    return start + static_cast<util::MonoUs>(static_cast<double>(a.wall_offset_us) / m_options.speed);
  }

  // A record whose moment has come: sent now, or after its call's answer.
  void take(journal::AttemptEntry& attempt) {
    auto [line, idle] = m_lines.try_emplace(attempt.call);
    if (!idle) {
      line->second.waiting.push_back(std::move(attempt));
      return;
    }
    send(attempt);
  }

  void send(journal::AttemptEntry& a) {
    delivery::HttpRequest request;
    request.id = static_cast<std::uint64_t>(m_result.sent++);
    auto url = util::parse_url(retarget(a.url, m_options.target));
    if (!url) throw BadInput(m_options.journal + ": a recorded URL is not valid: \"" + a.url + "\"");
    request.url = *url;
    request.method = std::move(a.method);
    request.headers = std::move(a.headers);
    request.body = std::move(a.body);
    if (!m_options.resign_secrets.empty()) resign(a, request);
    request.timeout_ms = k_answer_timeout_ms;
    m_calls_in_flight.emplace(request.id, a.call);
    m_transport.submit(std::move(request));
  }

  // Signs again at the current time; a stale timestamp stays as far behind
  // the current time as it was behind its recorded send time.
  void resign(const journal::AttemptEntry& a, delivery::HttpRequest& request) const {
    const auto fault = [&](scenario::Fault kind) {
      return std::any_of(a.faults.begin(), a.faults.end(),
                         [&](const std::string& entry) { return scenario::fault_of(entry) == kind; });
    };
    std::int64_t stale_s = 0;
    const auto recorded = delivery::signed_timestamp(request.headers);
    if (fault(scenario::Fault::StaleTimestamp) && recorded && m_run_started_ms)
      stale_s = std::max<std::int64_t>(0, (*m_run_started_ms + a.wall_offset_us / 1000) / 1000 - *recorded);
    delivery::resign(request.headers, m_options.resign_secrets, m_clock.unix_ms() / 1000 - stale_s, request.body,
                     fault(scenario::Fault::BadSignature));
  }

  // Counts the answers; each answered call sends its next waiting request.
  void collect(std::int64_t wait_us) {
    m_done.clear();
    m_transport.poll(m_done, wait_us);
    for (const auto& r : m_done) {
      if (r.error != delivery::ErrorKind::None)
        ++m_result.errors;
      else if (r.status / 100 == 2)
        ++m_result.ok;
      else
        ++m_result.other;
      if (!m_options.delivery.empty()) m_result.answer = r;
      const auto call = m_calls_in_flight.find(r.id);
      if (call == m_calls_in_flight.end()) continue;
      const auto line = m_lines.find(call->second);
      m_calls_in_flight.erase(call);
      if (line == m_lines.end()) continue;
      if (line->second.waiting.empty()) {
        m_lines.erase(line);
        continue;
      }
      journal::AttemptEntry next = std::move(line->second.waiting.front());
      line->second.waiting.pop_front();
      send(next);
    }
  }

  const ReplayOptions& m_options;
  delivery::Transport& m_transport;
  const util::Clock& m_clock;
  journal::JournalReader m_reader;
  // The recorded run's wall start, unix ms: a stale signature's age is measured from it.
  std::optional<std::int64_t> m_run_started_ms;
  std::vector<Pending> m_window;                                     // a heap: the earliest recorded send first
  std::unordered_map<std::string, CallLine> m_lines;                 // calls with a request on the wire
  std::unordered_map<std::uint64_t, std::string> m_calls_in_flight;  // request id -> call
  std::vector<delivery::HttpResult> m_done;
  std::optional<journal::AttemptEntry> m_last_of_delivery;  // with ReplayOptions::delivery
  std::uint64_t m_read = 0;
  bool m_more = true;
  ReplayResult m_result;
};

}  // namespace

ReplayResult replay(const ReplayOptions& options, delivery::Transport& transport, const util::Clock& clock) {
  return Player(options, transport, clock).run();
}

}  // namespace callhook::run
