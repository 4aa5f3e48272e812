#include "sink/sink.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "sink/event_name.hpp"
#include "sink/recordings.hpp"
#include "sink/server.hpp"
#include "util/base64.hpp"
#include "util/json_limits.hpp"
#include "util/text.hpp"
#include "util/time_format.hpp"
#include "util/utf8.hpp"

namespace callhook::sink {
namespace {

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string default_body(int status) { return status < 400 ? R"({"ok":true})" : R"({"ok":false})"; }

// A well-behaved receiver's answer: handshakes get the minimal answer their
// vendor documents (Exotel VoiceBot's envelope, VoiceKit's empty overrides),
// so a run against the sink shows no findings; everything else {"ok":true}.
std::string default_answer(const std::string& event, const std::string& body) {
  if (event == "call_started_hook") return "{}";
  if (body.find("\"session_id\"") != std::string::npos && body.find("\"trigger_reason\"") != std::string::npos)
    return R"({"http_code":200,"response":{"data":{}}})";
  return default_body(200);
}

std::string dump(const nlohmann::ordered_json& value, int indent = -1) {
  // Bodies may be any bytes; replace invalid UTF-8 rather than fail.
  return value.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

// Headers, then the body (indented when it is JSON), for --verbose.
std::string verbose_block(const Received& r) {
  std::string out;
  if (!r.query.empty()) out += "    ?" + r.query + "\n";
  for (const auto& h : r.headers) out += "    " + h.name + ": " + h.value + "\n";
  if (!r.body.empty()) {
    const auto json = util::parse_ordered_json(r.body, util::k_received_json).value;
    std::string body = json.is_discarded() ? r.body : dump(json, 2);
    out += "\n";
    std::size_t start = 0;
    while (start < body.size()) {
      const auto end = body.find('\n', start);
      out += "    " + body.substr(start, end == std::string::npos ? end : end - start) + "\n";
      if (end == std::string::npos) break;
      start = end + 1;
    }
  }
  out += "\n";
  return out;
}

// A record's "forward": where the request went and what came back (or why nothing did).
nlohmann::ordered_json forward_json(const std::string& url, const ForwardResult& f) {
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& h : f.headers) headers[h.name] = h.value;
  nlohmann::ordered_json out = {{"url", url}, {"status", f.status}, {"latency_ms", f.latency_ms}};
  if (!f.error.empty()) out["error"] = f.error;
  out["headers"] = std::move(headers);
  out["body"] = f.body;
  return out;
}

// The sender's answer: the receiver's, or 502 saying why there is none.
HttpResponse forwarded_answer(const ForwardResult& f) {
  HttpResponse response;
  if (f.status == 0) {
    response.status = 502;
    response.content_type = "application/json";
    response.body = dump(nlohmann::ordered_json{{"ok", false}, {"error", "forward failed: " + f.error}});
    return response;
  }
  response.status = f.status;
  for (const auto& h : f.headers) {
    if (util::iequals(h.name, "Content-Type"))
      response.content_type = h.value;
    else
      response.headers.push_back(h);
  }
  response.body = f.body;
  return response;
}

}  // namespace

std::string record_line(const Received& r) {
  nlohmann::ordered_json headers = nlohmann::ordered_json::object();
  for (const auto& h : r.headers) {
    auto it = headers.find(h.name);
    if (it == headers.end())
      headers[h.name] = h.value;
    else
      *it = it->get<std::string>() + ", " + h.value;  // repeated header, folded as HTTP allows
  }
  nlohmann::ordered_json line = {
      {"seq", r.seq},         {"received_at", r.received_at},  {"method", r.method},       {"path", r.path},
      {"query", r.query},     {"headers", std::move(headers)}, {"body", r.body},           {"event", r.event},
      {"call_id", r.call_id}, {"delivery_id", r.delivery_id},  {"duplicate", r.duplicate}, {"status", r.status}};
  // JSON holds text: a body that is not UTF-8 is kept exactly as base64 too.
  if (!util::is_utf8(r.body)) line["body_base64"] = util::base64_encode(r.body);
  if (r.forward) line["forward"] = forward_json(r.forward_url, *r.forward);
  return dump(line);
}

std::string print_line(const std::string& time, const std::string& method, const std::string& path,
                       const std::string& event, int status, std::size_t body_bytes) {
  return time + "  " + method + " " + path + "  " + (event.empty() ? "-" : event) + "  " + std::to_string(status) +
         "  " + std::to_string(body_bytes) + " B";
}

std::string print_line(const Received& r) {
  std::string ids;
  if (!r.call_id.empty()) ids += "call " + r.call_id + "  ";
  if (!r.delivery_id.empty()) ids += "id " + r.delivery_id + "  ";
  if (r.duplicate) ids += "dup  ";
  return r.received_at.substr(11, 12) + "  " + r.method + " " + r.path + "  " + (r.event.empty() ? "-" : r.event) +
         "  " + ids + std::to_string(r.status) + "  " + std::to_string(r.body.size()) + " B";
}

struct Sink::Impl {
  explicit Impl(SinkOptions o) : options(std::move(o)) {}

  HttpResponse handle(const HttpRequest& request);
  HttpResponse serve_recording(const HttpRequest& request);
  void report(const Received& received);
  // Waits `ms`, or less when the sink stops.
  void delay(std::int64_t ms);

  SinkOptions options;
  std::unique_ptr<Forwarder> forwarder;  // with options.forward_url
  HttpServer server;
  bool started = false;
  int port = 0;                                           // the last bound port
  std::unique_ptr<std::atomic<std::uint64_t>[]> matched;  // per rule: requests matched so far
  std::atomic<std::uint64_t> next_seq{0};
  std::atomic<std::uint64_t> answered{0};
  std::atomic<std::uint64_t> recordings{0};

  std::mutex lifecycle;  // start/stop

  std::mutex output;  // the printed lines, the record file and `kept`
  std::ofstream record;
  std::vector<Received> kept;
  std::unordered_set<std::string> seen_ids;  // delivery ids, when printing or recording
  // per=delivery rules: requests matched per (rule, delivery id).
  std::mutex per_delivery_mutex;
  std::unordered_map<std::string, std::uint64_t> per_delivery;

  // The n-th (0-based) request of this rule's sequence: the rule's, or the delivery's.
  std::uint64_t nth_match(std::size_t rule_index, const HttpRequest& request);

  std::mutex waiting;
  std::condition_variable wake;
  bool stopping = false;
};

void Sink::Impl::delay(std::int64_t ms) {
  std::unique_lock lock(waiting);
  wake.wait_for(lock, std::chrono::milliseconds(ms), [this] { return stopping; });
}

HttpResponse Sink::Impl::serve_recording(const HttpRequest& request) {
  HttpResponse response;
  if (auto file = recording_for_path(request.path)) {
    response.content_type = file->content_type;
    response.body = std::move(file->body);
    recordings.fetch_add(1);
  } else {
    response.status = 404;
    response.content_type = "application/json";
    response.body = R"({"ok":false,"error":"no such recording"})";
  }
  if (options.print || options.verbose) {
    const std::string time = util::iso8601_ms(wall_ms()).substr(11, 12);
    std::lock_guard lock(output);
    std::ostream& out = options.out ? *options.out : std::cout;
    out << print_line(time, request.method, request.path, "recording", response.status, response.body.size()) << "\n"
        << std::flush;
  }
  return response;
}

std::uint64_t Sink::Impl::nth_match(std::size_t rule_index, const HttpRequest& request) {
  if (options.rules[rule_index].per == StatusCount::PerRule) return matched[rule_index].fetch_add(1);
  const std::string key = std::to_string(rule_index) + ' ' +
                          delivery_id(request.headers, request.body.empty() ? request.query : request.body);
  std::lock_guard lock(per_delivery_mutex);
  return per_delivery[key]++;
}

HttpResponse Sink::Impl::handle(const HttpRequest& request) {
  std::string event = event_name(request.header("Content-Type"), request.body, request.query);
  const auto rule_index = match_rule(options.rules, request.path, event);
  if (!forwarder && !rule_index && options.serve_recordings && (request.method == "GET" || request.method == "HEAD") &&
      request.path.starts_with(k_recordings_prefix))
    return serve_recording(request);

  const auto now = wall_ms();
  Received received;
  received.seq = next_seq.fetch_add(1) + 1;
  received.received_at = util::iso8601_ms(now);

  HttpResponse response;
  if (forwarder) {
    received.forward = forwarder->forward(request);
    received.forward_url = options.forward_url;
    response = forwarded_answer(*received.forward);
  } else if (rule_index) {
    const Rule& rule = options.rules[*rule_index];
    response.status = rule_status(rule, nth_match(*rule_index, request));
    response.content_type = rule.content_type;
    response.body = rule.body ? *rule.body : default_body(response.status);
    response.headers = rule.headers;
    if (rule.delay_ms > 0) delay(rule.delay_ms);
  } else {
    response.content_type = "application/json";
    response.body = default_answer(event, request.body);
  }

  received.method = request.method;
  received.path = request.path;
  received.query = request.query;
  received.headers = request.headers;
  received.body = request.body;
  received.event = std::move(event);
  received.status = response.status;
  if (options.print || options.verbose || !options.record_path.empty()) {
    received.call_id = call_id(request.header("Content-Type"), request.body, request.query);
    received.delivery_id = delivery_id(request.headers, request.body.empty() ? request.query : request.body);
    std::lock_guard lock(output);
    received.duplicate = !seen_ids.insert(received.delivery_id).second;
  }
  report(received);
  // Counted before the answer leaves, so a client that has its answer sees it.
  answered.fetch_add(1);
  if (options.keep_requests) {
    std::lock_guard lock(output);
    kept.push_back(std::move(received));
  }
  return response;
}

void Sink::Impl::report(const Received& r) {
  const bool print = options.print || options.verbose;
  if (!print && !record.is_open()) return;
  std::string text;
  if (print) {
    text = print_line(r) + "\n";
    if (options.verbose) text += verbose_block(r);
  }
  const std::string line = record.is_open() ? record_line(r) + "\n" : std::string();
  std::lock_guard lock(output);
  if (print) {
    std::ostream& out = options.out ? *options.out : std::cout;
    out << text << std::flush;
  }
  if (record.is_open()) {
    // Flushed per line so that a killed sink still leaves whole lines.
    record << line;
    record.flush();
  }
}

Sink::Sink(SinkOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

Sink::~Sink() { stop(); }

int Sink::start() {
  std::lock_guard lock(m_impl->lifecycle);
  Impl& impl = *m_impl;
  if (impl.started) throw std::logic_error("sink already started");
  if (!impl.options.forward_url.empty() && !impl.forwarder) {
    impl.forwarder = std::make_unique<Forwarder>(impl.options.forward_url, impl.options.forward_timeout_ms);
    impl.options.rules.clear();  // the receiver answers, not rules
  }
  if (!impl.options.record_path.empty()) {
    impl.record.open(impl.options.record_path, std::ios::out | std::ios::trunc | std::ios::binary);
    if (!impl.record) throw std::runtime_error("cannot open record file \"" + impl.options.record_path + "\"");
  }
  impl.matched = std::make_unique<std::atomic<std::uint64_t>[]>(impl.options.rules.size());
  {
    std::lock_guard wait_lock(impl.waiting);
    impl.stopping = false;
  }
  try {
    impl.port = impl.server.start(impl.options.host, impl.options.port, impl.options.threads,
                                  [&impl](const HttpRequest& request) { return impl.handle(request); });
  } catch (...) {
    if (impl.record.is_open()) impl.record.close();
    throw;
  }
  impl.started = true;
  return impl.port;
}

void Sink::stop() {
  std::lock_guard lock(m_impl->lifecycle);
  Impl& impl = *m_impl;
  if (!impl.started) return;
  {
    std::lock_guard wait_lock(impl.waiting);
    impl.stopping = true;
  }
  impl.wake.notify_all();
  impl.server.stop();
  std::lock_guard output_lock(impl.output);
  if (impl.record.is_open()) impl.record.close();
  impl.started = false;
}

std::string Sink::url() const {
  std::lock_guard lock(m_impl->lifecycle);
  return origin_url(m_impl->options.host, m_impl->port);
}

std::string Sink::recordings_url() const {
  return url() + std::string(k_recordings_prefix.substr(0, k_recordings_prefix.size() - 1));
}

std::uint64_t Sink::received() const { return m_impl->answered.load(); }

std::uint64_t Sink::arrived() const { return m_impl->next_seq.load(); }

std::uint64_t Sink::recordings_served() const { return m_impl->recordings.load(); }

std::vector<Received> Sink::requests() const {
  std::lock_guard lock(m_impl->output);
  return m_impl->kept;
}

}  // namespace callhook::sink
