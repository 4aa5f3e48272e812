// `run --metrics-listen`: GET /metrics scraped while a real run runs, read
// by a parser of the Prometheus text exposition format (0.0.4) that
// rejects what Prometheus rejects, and checked against what the receiver got.
#include <httplib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cmath>
#include <condition_variable>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "harness.hpp"

using callhook::testing::free_port;
using callhook::testing::ProcessResult;
using callhook::testing::read_json;
using callhook::testing::Receiver;
using callhook::testing::run_callhook;
using callhook::testing::TempDir;
using nlohmann::json;

namespace {

// One parsed exposition: every sample by its series ("name{a=\"x\",b=\"y\"}"
// with labels sorted), and each family's type.
struct Exposition {
  std::map<std::string, double> samples;
  std::map<std::string, std::string> types;
  double at(const std::string& series) const {
    const auto it = samples.find(series);
    if (it == samples.end()) throw std::runtime_error("no sample " + series);
    return it->second;
  }
};

bool is_name(const std::string& name, bool label) {
  if (name.empty()) return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    const bool letter = std::isalpha(static_cast<unsigned char>(c)) || c == '_' || (!label && c == ':');
    if (!letter && !(i > 0 && std::isdigit(static_cast<unsigned char>(c)))) return false;
  }
  return true;
}

double parse_value(const std::string& text) {
  if (text == "+Inf") return INFINITY;
  if (text == "-Inf") return -INFINITY;
  if (text == "NaN") return NAN;
  std::size_t used = 0;
  const double value = std::stod(text, &used);
  if (used != text.size()) throw std::runtime_error("bad value " + text);
  return value;
}

// The family a sample belongs to: a histogram's _bucket, _sum and _count
// series are its own.
std::string family_of(const std::string& name, const std::map<std::string, std::string>& types) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s = suffix;
    if (name.size() > s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0) {
      const std::string base = name.substr(0, name.size() - s.size());
      const auto it = types.find(base);
      if (it != types.end() && (it->second == "histogram" || it->second == "summary")) return base;
    }
  }
  return name;
}

// Throws std::runtime_error naming the line for anything Prometheus's text
// parser refuses: a bad name, label or value, a TYPE after its samples or
// twice, a sample of no declared family, a repeated series, a histogram
// whose buckets are not cumulative or do not end with le="+Inf" == _count.
Exposition parse_exposition(const std::string& text) {
  if (text.empty() || text.back() != '\n') throw std::runtime_error("the text does not end with a newline");
  Exposition out;
  std::set<std::string> seen_families;
  std::istringstream in(text);
  int number = 0;
  for (std::string line; std::getline(in, line);) {
    ++number;
    const std::string where = "line " + std::to_string(number) + ": " + line;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream words(line.substr(1));
      std::string keyword, name, rest;
      words >> keyword >> name;
      if (keyword == "TYPE") {
        words >> rest;
        static const std::set<std::string> types = {"counter", "gauge", "histogram", "summary", "untyped"};
        if (!is_name(name, false) || !types.count(rest)) throw std::runtime_error("bad TYPE: " + where);
        if (out.types.count(name) || seen_families.count(name))
          throw std::runtime_error("TYPE twice or after samples: " + where);
        out.types[name] = rest;
      } else if (keyword == "HELP" && !is_name(name, false)) {
        throw std::runtime_error("bad HELP: " + where);
      }
      continue;
    }
    std::size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ') ++i;
    const std::string name = line.substr(0, i);
    if (!is_name(name, false)) throw std::runtime_error("bad metric name: " + where);
    std::map<std::string, std::string> labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      while (i < line.size() && line[i] != '}') {
        const std::size_t eq = line.find('=', i);
        if (eq == std::string::npos) throw std::runtime_error("bad label: " + where);
        const std::string label = line.substr(i, eq - i);
        if (!is_name(label, true) || eq + 1 >= line.size() || line[eq + 1] != '"')
          throw std::runtime_error("bad label: " + where);
        std::string value;
        std::size_t j = eq + 2;
        for (; j < line.size() && line[j] != '"'; ++j) {
          if (line[j] == '\\') {
            if (++j >= line.size()) break;
            if (line[j] != '\\' && line[j] != '"' && line[j] != 'n') throw std::runtime_error("bad escape: " + where);
            value += line[j] == 'n' ? '\n' : line[j];
          } else {
            value += line[j];
          }
        }
        if (j >= line.size()) throw std::runtime_error("unterminated label value: " + where);
        if (!labels.emplace(label, value).second) throw std::runtime_error("repeated label: " + where);
        i = j + 1;
        if (i < line.size() && line[i] == ',') ++i;
      }
      if (i >= line.size()) throw std::runtime_error("unterminated labels: " + where);
      ++i;
    }
    if (i >= line.size() || line[i] != ' ') throw std::runtime_error("no value: " + where);
    std::istringstream rest(line.substr(i + 1));
    std::string value_text, timestamp, extra;
    rest >> value_text >> timestamp >> extra;
    if (!extra.empty()) throw std::runtime_error("trailing text: " + where);
    const double value = parse_value(value_text);
    const std::string family = family_of(name, out.types);
    if (!out.types.count(family)) throw std::runtime_error("sample of no TYPE: " + where);
    seen_families.insert(family);
    std::string series = name + "{";
    for (const auto& [k, v] : labels) series += k + "=\"" + v + "\",";
    series += "}";
    if (!out.samples.emplace(series, value).second) throw std::runtime_error("repeated series: " + where);
  }
  // Histograms (these carry no labels but le): cumulative, ending at +Inf = _count.
  for (const auto& [family, type] : out.types) {
    if (type != "histogram") continue;
    std::vector<std::pair<double, double>> buckets;
    for (const auto& [series, value] : out.samples)
      if (series.rfind(family + "_bucket{le=\"", 0) == 0) {
        const std::size_t start = family.size() + 12;
        buckets.emplace_back(parse_value(series.substr(start, series.size() - start - 3)), value);
      }
    std::sort(buckets.begin(), buckets.end());
    if (buckets.empty() || !std::isinf(buckets.back().first)) throw std::runtime_error(family + ": no +Inf bucket");
    for (std::size_t b = 1; b < buckets.size(); ++b)
      if (buckets[b].second < buckets[b - 1].second) throw std::runtime_error(family + ": buckets not cumulative");
    if (buckets.back().second != out.at(family + "_count{}")) throw std::runtime_error(family + ": +Inf != _count");
    out.at(family + "_sum{}");
  }
  return out;
}

std::string vendor_series(const std::string& name, const std::string& vendor, const std::string& outcome = "") {
  return name + "{" + (outcome.empty() ? "" : "outcome=\"" + outcome + "\",") + "vendor=\"" + vendor + "\",}";
}

}  // namespace

TEST_CASE("the exposition parser refuses what Prometheus refuses", "[metrics]") {
  CHECK_NOTHROW(parse_exposition("# TYPE a counter\na{x=\"1\"} 2\n"));
  CHECK_THROWS(parse_exposition("a 1\n"));                                      // no TYPE
  CHECK_THROWS(parse_exposition("# TYPE a counter\na{x=\"1} 2\n"));             // unterminated
  CHECK_THROWS(parse_exposition("# TYPE a counter\na 1\n# TYPE a counter\n"));  // TYPE twice
  CHECK_THROWS(parse_exposition("# TYPE a counter\na one\n"));
  CHECK_THROWS(
      parse_exposition("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\n"
                       "h_sum 1\nh_count 1\n"));
  CHECK_THROWS(parse_exposition("# TYPE a counter\na 1"));  // no final newline
}

TEST_CASE("run --metrics-listen serves the live deliveries, attempts, latency and in-flight requests", "[metrics]") {
  TempDir dir;
  // Every call end waits until the test has scraped, so the scrape sees
  // it in flight and everything before it answered.
  std::mutex mutex;
  std::condition_variable released_cv;
  bool released = false;
  std::atomic<int> held = 0;
  Receiver receiver([&](const httplib::Request& req, httplib::Response&) {
    if (req.body.find("runtime.call.end") == std::string::npos) return;
    ++held;
    std::unique_lock lock(mutex);
    released_cv.wait_for(lock, std::chrono::seconds(20), [&] { return released; });
  });
  const int port = free_port();
  ProcessResult run;
  std::thread runner([&] {
    run = run_callhook({"run", "scenarios/voiceflow-basic.json", "--speed", "max", "--count", "2", "--target",
                        receiver.url() + "/hooks", "--metrics-listen", "127.0.0.1:" + std::to_string(port), "--json",
                        dir.path("report.json")},
                       60);
  });
  const auto release = [&] {
    {
      const std::lock_guard lock(mutex);
      released = true;
    }
    released_cv.notify_all();
  };

  httplib::Client client("127.0.0.1", port);
  Exposition scraped;
  std::string body;
  std::size_t received = 0;
  int in_flight = 0;
  // Each lane hands in its numbers at its progress ticks (5 a second):
  // wait for one that has every request the receiver got.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    in_flight = held.load();
    received = receiver.count();
    if (in_flight < 1) continue;
    const auto answer = client.Get("/metrics");
    if (!answer || answer->status != 200) continue;
    body = answer->body;
    scraped = parse_exposition(body);
    CHECK(answer->get_header_value("Content-Type").rfind("text/plain; version=0.0.4", 0) == 0);
    if (held.load() != in_flight || receiver.count() != received) continue;  // moved on while scraping
    if (scraped.at("callhook_in_flight{}") == in_flight &&
        scraped.at(vendor_series("callhook_attempts_total", "voiceflow")) == static_cast<double>(received) - in_flight)
      break;
  }
  release();
  runner.join();
  INFO(body << run.out << run.err);
  REQUIRE(run.exit_code == 0);
  CHECK(run.err.find("callhook: metrics at http://127.0.0.1:" + std::to_string(port) + "/metrics") !=
        std::string::npos);

  CHECK(scraped.types.at("callhook_deliveries_total") == "counter");
  CHECK(scraped.types.at("callhook_attempt_latency_seconds") == "histogram");
  CHECK(scraped.types.at("callhook_in_flight") == "gauge");
  REQUIRE(in_flight >= 1);
  CHECK(scraped.at("callhook_in_flight{}") == in_flight);
  // Attempts count once answered: everything sent but the held call ends,
  // each answered 200 and delivered.
  const double attempts = scraped.at(vendor_series("callhook_attempts_total", "voiceflow"));
  CHECK(attempts == static_cast<double>(received) - in_flight);
  const double delivered = scraped.at(vendor_series("callhook_deliveries_total", "voiceflow", "delivered"));
  CHECK(delivered == attempts);
  CHECK(delivered >= 2);  // at least the held call's session and call starts
  CHECK(scraped.at("callhook_attempt_latency_seconds_count{}") == delivered);
  CHECK(scraped.at("callhook_attempt_latency_seconds_sum{}") > 0);
  // Answered at once on loopback: all under a second.
  CHECK(scraped.at("callhook_attempt_latency_seconds_bucket{le=\"1\",}") == delivered);
  for (const char* outcome : {"failed", "dropped", "cancelled", "rejected_as_expected"})
    CHECK(scraped.at(vendor_series("callhook_deliveries_total", "voiceflow", outcome)) == 0);

  // The run went on to deliver everything, more than the scrape saw.
  const json report = read_json(dir.path("report.json"));
  CHECK(report.at("totals").at("delivered").get<double>() == static_cast<double>(receiver.count()));
  CHECK(report.at("totals").at("delivered").get<double>() > delivered);
  CHECK(scraped.at(vendor_series("callhook_deliveries_planned_total", "voiceflow")) <=
        report.at("totals").at("planned").get<double>());
}

TEST_CASE("run --metrics-listen on a busy port is exit 3 before anything is sent; a bad address exit 2", "[metrics]") {
  Receiver receiver;
  Receiver busy;
  auto r = run_callhook({"run", "scenarios/voiceflow-basic.json", "--speed", "max", "--target",
                         receiver.url() + "/hooks", "--metrics-listen", "127.0.0.1:" + std::to_string(busy.port())});
  CHECK(r.exit_code == 3);
  CHECK(receiver.count() == 0);
  r = run_callhook({"run", "scenarios/voiceflow-basic.json", "--metrics-listen", "nowhere"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--metrics-listen") != std::string::npos);
}
