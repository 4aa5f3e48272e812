// transport_bench URL [--connections 8] [--seconds 5] [--body-bytes 700] [--insecure]
//
// Drives the real transport as hard as it goes, keeping twice as many
// requests in flight as there are connections, each a JSON POST of about
// the size of a voice vendor's webhook. Prints the rate, the errors and
// latency percentiles, to put next to wrk's numbers for the same server.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "delivery/make_transport.hpp"
#include "util/clock.hpp"
#include "util/url.hpp"

namespace {

using callhook::delivery::ErrorKind;
using callhook::delivery::HttpRequest;
using callhook::delivery::HttpResult;

struct Options {
  std::string url;
  std::size_t connections = 8;
  double seconds = 5;
  std::size_t body_bytes = 700;
  bool insecure = false;  // https: accept any certificate (a self-signed benchmark server)
};

bool parse_number(std::string_view text, double& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out > 0;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--insecure") {
      options.insecure = true;
    } else if (arg == "--connections" || arg == "--seconds" || arg == "--body-bytes") {
      double value = 0;
      if (i + 1 >= argc || !parse_number(argv[i + 1], value)) {
        std::fprintf(stderr, "transport_bench: %s needs a positive number\n", argv[i]);
        return false;
      }
      ++i;
      if (arg == "--connections") options.connections = static_cast<std::size_t>(value);
      if (arg == "--seconds") options.seconds = value;
      if (arg == "--body-bytes") options.body_bytes = static_cast<std::size_t>(value);
    } else if (options.url.empty() && !arg.starts_with("--")) {
      options.url = arg;
    } else {
      std::fprintf(stderr, "transport_bench: unexpected argument %s\n", argv[i]);
      return false;
    }
  }
  if (options.url.empty()) {
    std::fprintf(stderr,
                 "usage: transport_bench URL [--connections 8] [--seconds 5] [--body-bytes 700] [--insecure]\n");
    return false;
  }
  return true;
}

// A call-end webhook padded with a transcript to the requested size.
std::string make_body(std::size_t bytes) {
  std::string body =
      R"({"event":"call.completed","call_id":"c0ffee00-1234-4abc-9def-0123456789ab","from":"+14155550100",)"
      R"("to":"+14155550199","direction":"inbound","started_at":"2025-07-16T11:40:57.000Z",)"
      R"("ended_at":"2025-07-16T11:44:12.000Z","duration_s":195,"disposition":"completed","transcript":")";
  const std::string_view words = "hello I would like to check the status of my order please ";
  const std::size_t closing = 2;
  while (body.size() + closing < bytes) body += words[body.size() % words.size()];
  body += "\"}";
  return body;
}

std::int64_t percentile(const std::vector<std::int64_t>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!parse_options(argc, argv, options)) return 2;
  const auto url = callhook::util::parse_url(options.url);
  if (!url) {
    std::fprintf(stderr, "transport_bench: not an http(s) URL: %s\n", options.url.c_str());
    return 2;
  }

  callhook::util::SystemClock clock;
  callhook::delivery::TransportOptions transport_options;
  transport_options.connections_per_origin = options.connections;
  transport_options.insecure = options.insecure;
  const auto transport = callhook::delivery::make_transport(transport_options, clock);

  HttpRequest prototype;
  prototype.url = *url;
  prototype.method = "POST";
  prototype.headers = {{"Content-Type", "application/json"}, {"User-Agent", "callhook-bench/1"}};
  prototype.body = make_body(options.body_bytes);
  prototype.timeout_ms = 10000;

  const std::size_t depth = options.connections * 2;
  std::vector<HttpResult> done;
  std::vector<std::int64_t> latencies;
  latencies.reserve(1 << 20);
  std::array<std::uint64_t, 6> errors{};
  std::uint64_t completed = 0;
  std::uint64_t non_2xx = 0;
  std::uint64_t next_id = 1;

  const std::int64_t start = clock.now_us();
  const auto end = start + static_cast<std::int64_t>(options.seconds * 1e6);
  std::int64_t now = start;
  while (now < end) {
    while (transport->in_flight() < depth) {
      HttpRequest request = prototype;  // a fresh request each time, as the engine builds them
      request.id = next_id++;
      transport->submit(std::move(request));
    }
    done.clear();
    transport->poll(done, 1000);
    now = clock.now_us();
    for (const HttpResult& result : done) {
      ++completed;
      if (result.error != ErrorKind::None) {
        ++errors[static_cast<std::size_t>(result.error)];
      } else if (result.status < 200 || result.status > 299) {
        ++non_2xx;
      }
      latencies.push_back(result.latency_us);
    }
  }
  const double elapsed_s = static_cast<double>(now - start) / 1e6;
  // Let the stragglers finish so the server sees orderly closes.
  const std::int64_t drain_until = clock.now_us() + 5'000'000;
  while (transport->in_flight() > 0 && clock.now_us() < drain_until) {
    done.clear();
    transport->poll(done, 10000);
  }

  std::sort(latencies.begin(), latencies.end());
  std::uint64_t error_total = 0;
  for (const auto count : errors) error_total += count;
  std::printf("transport_bench %s: %zu connections, %zu in flight, %zu-byte body, %.2f s\n", options.url.c_str(),
              options.connections, depth, prototype.body.size(), elapsed_s);
  std::printf("requests: %llu  rate: %.0f req/s\n", static_cast<unsigned long long>(completed),
              static_cast<double>(completed) / elapsed_s);
  std::printf("errors: %llu (connect %llu, timeout %llu, closed %llu, tls %llu, protocol %llu)  non-2xx: %llu\n",
              static_cast<unsigned long long>(error_total),
              static_cast<unsigned long long>(errors[static_cast<std::size_t>(ErrorKind::Connect)]),
              static_cast<unsigned long long>(errors[static_cast<std::size_t>(ErrorKind::Timeout)]),
              static_cast<unsigned long long>(errors[static_cast<std::size_t>(ErrorKind::Closed)]),
              static_cast<unsigned long long>(errors[static_cast<std::size_t>(ErrorKind::Tls)]),
              static_cast<unsigned long long>(errors[static_cast<std::size_t>(ErrorKind::Protocol)]),
              static_cast<unsigned long long>(non_2xx));
  std::printf("latency p50: %lld us  p99: %lld us  max: %lld us\n", static_cast<long long>(percentile(latencies, 0.50)),
              static_cast<long long>(percentile(latencies, 0.99)),
              static_cast<long long>(latencies.empty() ? 0 : latencies.back()));
  return error_total == 0 && non_2xx == 0 ? 0 : 1;
}
