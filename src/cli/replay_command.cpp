// callhook replay: the requests of a recorded run, sent again exactly (method,
// URL, headers and body as recorded), in the recorded send order and with the
// recorded relative timing. With --resign, Standard Webhooks and Svix
// signatures are made again at the moment of sending, so a journal replayed
// hours later still verifies.
#include <algorithm>
#include <iostream>
#include <queue>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "delivery/make_transport.hpp"
#include "delivery/signing.hpp"
#include "journal/reader.hpp"
#include "util/clock.hpp"
#include "util/json_cursor.hpp"
#include "util/time_format.hpp"

namespace callhook::cli {
namespace {

// Attempt records are written as attempts end; sends are ordered by their
// recorded send time. Results never arrive further apart than the number of
// requests in flight, so a window this size restores the send order while
// streaming the journal.
constexpr std::size_t k_reorder_window = 8192;

struct Later {
  bool operator()(const journal::AttemptEntry& a, const journal::AttemptEntry& b) const {
    return a.wall_offset_us > b.wall_offset_us;
  }
};

std::string retarget(const std::string& url, const std::optional<util::Url>& target) {
  if (!target) return url;
  auto parsed = util::parse_url(url);
  if (!parsed) return url;
  return target->origin() + parsed->target;
}

}  // namespace

int command_replay(const std::vector<std::string>& args) {
  const Help help{
      "replay",
      "callhook replay JOURNAL [--target URL] [--speed X|max] [--only CALL] [--resign SECRET]... [--connections N]\n"
      "                        [--insecure]",
      "Sends the attempts recorded in a journal again: the same method, URL, headers (signatures\n"
      "included) and body, in the recorded send order with the recorded relative timing (divided by\n"
      "--speed; \"max\" sends one after another without waiting). --target replaces the scheme, host\n"
      "and port of every URL (each recorded path is kept); --only keeps one call's requests.\n\n"
      "Without --resign the bytes go out as recorded, signature headers included, so a receiver that\n"
      "checks signature timestamps against its clock rejects a journal older than its tolerance.\n"
      "--resign SECRET (repeat it for several secrets) signs each request again at the current time\n"
      "in the scheme it carried (Standard Webhooks webhook-* or Svix svix-* headers); a request the\n"
      "journal marks bad_signature is signed over a tampered body again, one it marks\n"
      "stale_timestamp as far behind the current time as it was behind its recorded send time.\n"
      "X-Signature headers carry no timestamp and go out as recorded.",
      "  callhook replay run.jsonl --speed max\n"
      "  callhook replay run.jsonl --target http://127.0.0.1:3000 --only CA0123456789abcdef0123456789abcdef"};
  std::string path, target_text, speed_text = "1", only, connections_text = "8";
  std::vector<std::string> resign_secrets;
  bool insecure = false;
  po::options_description options("options");
  options.add_options()("journal", po::value(&path)->value_name("JOURNAL")->required(), "journal file (JSONL)")(
      "target", po::value(&target_text)->value_name("URL"), "send to this origin instead")(
      "speed", po::value(&speed_text)->value_name("X|max"), "timing divisor, or max (default 1: as recorded)")(
      "only", po::value(&only)->value_name("CALL"), "replay only this call id")(
      "resign", po::value(&resign_secrets)->value_name("SECRET"),
      "sign again at send time with this secret (repeatable)")(
      "connections", po::value(&connections_text)->value_name("N"), "keep-alive connections per receiver (default 8)")(
      "insecure", po::bool_switch(&insecure), "skip TLS certificate checks");
  po::positional_options_description positional;
  positional.add("journal", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, help)) return k_exit_ok;
  const double speed = parse_speed(speed_text);
  const auto connections = static_cast<std::size_t>(parse_integer("--connections", connections_text, 1, 1024));
  std::optional<util::Url> target;
  if (!target_text.empty()) {
    target = util::parse_url(target_text);
    if (!target) throw UsageError("--target: expected an http:// or https:// URL, got \"" + target_text + "\"");
    if (target->target != "/" && !target->target.empty())
      std::cerr << "warning: --target " << target_text << ": only its origin is used; each request keeps its "
                << "recorded path (" << target->target << " is ignored)\n";
  }
  if (dry_run()) {
    try {
      journal::JournalReader reader(path);
    } catch (const journal::JournalError& e) {
      throw UsageError(e.what());
    }
    return k_exit_ok;
  }

  util::SystemClock clock;
  delivery::TransportOptions transport_options;
  transport_options.connections_per_origin = connections;
  transport_options.insecure = insecure;
  auto transport = delivery::make_transport(transport_options, clock);
  // At max speed one request at a time keeps the recorded order on the wire.
  const std::size_t concurrency = speed <= 0 ? 1 : 1024;

  std::int64_t sent = 0, ok = 0, other = 0, errors = 0;
  std::vector<std::string> calls_seen;  // distinct call ids, for an --only that matches none
  std::vector<delivery::HttpResult> done;
  auto collect = [&](std::int64_t wait_us) {
    done.clear();
    transport->poll(done, wait_us);
    for (const auto& r : done) {
      if (r.error != delivery::ErrorKind::None)
        ++errors;
      else if (r.status / 100 == 2)
        ++ok;
      else
        ++other;
    }
  };

  try {
    journal::JournalReader reader(path);
    std::priority_queue<journal::AttemptEntry, std::vector<journal::AttemptEntry>, Later> window;
    // The recorded run's wall start, unix ms: a stale signature's age is measured from it.
    const std::optional<std::int64_t> run_started_ms = util::parse_iso8601(reader.run().wall_started_at);
    bool more = true;
    const util::MonoUs start = clock.now_us();
    while (more || !window.empty() || transport->in_flight() > 0) {
      while (more && window.size() < k_reorder_window) {
        auto entry = reader.next();
        if (!entry) {
          more = false;
          break;
        }
        if (auto* a = std::get_if<journal::AttemptEntry>(&*entry)) {
          if (only.empty() || a->call == only) {
            window.push(std::move(*a));
          } else if (sent == 0 && calls_seen.size() < 1000 &&
                     std::find(calls_seen.begin(), calls_seen.end(), a->call) == calls_seen.end()) {
            calls_seen.push_back(a->call);
          }
        }
      }
      std::int64_t wait_us = 100000;
      while (!window.empty() && transport->in_flight() < concurrency) {
        const auto& next = window.top();
        const util::MonoUs due =
            speed <= 0 ? 0 : start + static_cast<util::MonoUs>(static_cast<double>(next.wall_offset_us) / speed);
        const util::MonoUs now = clock.now_us();
        if (due > now) {
          wait_us = due - now;
          break;
        }
        delivery::HttpRequest request;
        request.id = static_cast<std::uint64_t>(sent++);
        auto url = util::parse_url(retarget(next.url, target));
        if (!url) throw UsageError(path + ": a recorded URL is not valid: \"" + next.url + "\"");
        request.url = *url;
        request.method = next.method;
        request.headers = next.headers;
        request.body = next.body;
        if (!resign_secrets.empty()) {
          const auto fault = [&](const char* name) {
            return std::find(next.faults.begin(), next.faults.end(), name) != next.faults.end();
          };
          std::int64_t stale_s = 0;
          const auto recorded = delivery::signed_timestamp(next.headers);
          if (fault("stale_timestamp") && recorded && run_started_ms)
            stale_s = std::max<std::int64_t>(0, (*run_started_ms + next.wall_offset_us / 1000) / 1000 - *recorded);
          delivery::resign(request.headers, resign_secrets, clock.unix_ms() / 1000 - stale_s, request.body,
                           fault("bad_signature"));
        }
        request.timeout_ms = 30000;
        transport->submit(std::move(request));
        window.pop();
        wait_us = 0;
      }
      if (window.empty() && !more && transport->in_flight() == 0) break;
      collect(wait_us);
    }
    if (reader.cut())
      std::cerr
          << "callhook: warning: " << path << ":" << reader.line()
          << ": the last line is cut short (the run was killed while writing it); replayed the records before it\n";
  } catch (const journal::JournalError& e) {
    throw UsageError(e.what());
  }
  if (!only.empty() && sent == 0) {
    const std::string guess = util::did_you_mean(only, calls_seen);
    std::string some;
    for (std::size_t i = 0; i < calls_seen.size() && i < 5; ++i) some += (i ? ", " : "") + calls_seen[i];
    throw UsageError("--only " + only + ": " + path + " has no request of that call" +
                     (guess.empty() ? "" : " (did you mean " + guess + "?)") +
                     (calls_seen.empty()
                          ? std::string("; it has no requests")
                          : "; its calls include " + some +
                                (calls_seen.size() > 5 ? " (" + std::to_string(calls_seen.size()) +
                                                             (calls_seen.size() >= 1000 ? "+" : "") + " in all)"
                                                       : "")));
  }
  std::cout << "replayed " << sent << (sent == 1 ? " request" : " requests") << ": " << ok << " answered 2xx, " << other
            << " other statuses, " << errors << " transport errors\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
