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
#include "delivery/make_transport.hpp"
#include "delivery/signing.hpp"
#include "journal/reader.hpp"
#include "util/clock.hpp"
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
  constexpr const char* usage =
      "callhook replay JOURNAL [--target URL] [--speed X|max] [--only CALL] [--resign SECRET]...\n\n"
      "Sends the attempts recorded in a journal again: the same method, URL, headers and body, in the\n"
      "recorded send order with the recorded relative timing (divided by --speed; \"max\" sends one\n"
      "after another without waiting). --target replaces the scheme, host and port of every URL;\n"
      "--only keeps one call's requests.\n\n"
      "Without --resign the bytes go out as recorded, signature headers included, so a receiver that\n"
      "checks signature timestamps against its clock rejects a journal older than its tolerance.\n"
      "--resign SECRET (repeat it for several secrets) signs each request again at the current time\n"
      "in the scheme it carried (Standard Webhooks webhook-* or Svix svix-* headers); a request the\n"
      "journal marks bad_signature is signed over a tampered body again, one it marks\n"
      "stale_timestamp as far behind the current time as it was behind its recorded send time.\n"
      "X-Signature headers carry no timestamp and go out as recorded.";
  std::string path, target_text, speed_text = "1", only;
  std::vector<std::string> resign_secrets;
  std::size_t connections = 8;
  bool insecure = false;
  po::options_description options("options");
  options.add_options()("journal", po::value(&path)->required(), "journal file (JSONL)")(
      "target", po::value(&target_text), "send to this origin instead")(
      "speed", po::value(&speed_text), "timing divisor, or \"max\" (default 1: as recorded)")(
      "only", po::value(&only), "replay only this call id")(
      "resign", po::value(&resign_secrets), "sign again at send time with this secret (repeatable)")(
      "connections", po::value(&connections)->default_value(8), "keep-alive connections per receiver")(
      "insecure", po::bool_switch(&insecure), "skip TLS certificate checks");
  po::positional_options_description positional;
  positional.add("journal", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, usage)) return k_exit_ok;
  const double speed = parse_speed(speed_text);
  std::optional<util::Url> target;
  if (!target_text.empty()) {
    target = util::parse_url(target_text);
    if (!target) throw UsageError("--target: expected an http:// or https:// URL, got \"" + target_text + "\"");
  }

  util::SystemClock clock;
  delivery::TransportOptions transport_options;
  transport_options.connections_per_origin = connections;
  transport_options.insecure = insecure;
  auto transport = delivery::make_transport(transport_options, clock);
  // At max speed one request at a time keeps the recorded order on the wire.
  const std::size_t concurrency = speed <= 0 ? 1 : 1024;

  std::int64_t sent = 0, ok = 0, other = 0, errors = 0;
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
        if (auto* a = std::get_if<journal::AttemptEntry>(&*entry))
          if (only.empty() || a->call == only) window.push(std::move(*a));
      }
      std::int64_t wait_us = 100000;
      while (!window.empty() && transport->in_flight() < concurrency) {
        const auto& next = window.top();
        const util::MonoUs due = speed <= 0 ? 0 : start + static_cast<util::MonoUs>(
                                                             static_cast<double>(next.wall_offset_us) / speed);
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
      std::cerr << "callhook: warning: " << path << ":" << reader.line()
                << ": the last line is cut short (the run was killed while writing it); replayed the records before it\n";
  } catch (const journal::JournalError& e) {
    throw UsageError(e.what());
  }
  std::cout << "replayed " << sent << (sent == 1 ? " request" : " requests") << ": " << ok << " answered 2xx, "
            << other << " other statuses, " << errors << " transport errors\n";
  return k_exit_ok;
}

}  // namespace callhook::cli
