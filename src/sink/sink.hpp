#pragma once
// The built-in receiver: the default target of `callhook run`, the
// `callhook sink` command, and a programmable peer for integration tests.
// It accepts any method and path, names the event of each webhook, answers
// by the first matching Rule (default 200 {"ok":true}), and can print,
// record (JSONL) and keep what it received.
#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sink/forward.hpp"
#include "sink/rules.hpp"
#include "util/header.hpp"

namespace callhook::sink {

struct SinkOptions {
  std::string host = "127.0.0.1";
  int port = 0;             // 0 = any free port
  bool print = false;       // one line per webhook
  bool verbose = false;     // also headers and body
  std::string record_path;  // JSONL file of every webhook, "" = none
  std::vector<Rule> rules;
  // Worker threads. cpp-httplib keeps a thread for each open connection, so
  // this is how many keep-alive connections are served at once; a sender
  // with more connections than this waits for one to close.
  std::size_t threads = 8;
  // Also answer GET /recordings/<name>-<bytes>.<ogg|wav> with audio (see
  // recordings.hpp), unless a rule matches first. Not counted as webhooks.
  bool serve_recordings = true;
  bool keep_requests = false;  // keep every webhook for requests()
  // Forward every webhook to this http:// URL and answer with what it
  // answers (502 when it cannot be asked); rules then do not apply.
  std::string forward_url;
  std::int64_t forward_timeout_ms = 30'000;
  std::ostream* out = nullptr;  // where print and verbose write; nullptr = stdout
};

// One webhook as the sink saw it, and what it answered.
struct Received {
  std::uint64_t seq = 0;    // 1, 2, ... in order of arrival
  std::string received_at;  // wall time, ISO 8601 UTC with milliseconds
  std::string method;
  std::string path;
  std::string query;  // raw, without '?'
  util::Headers headers;
  std::string body;
  std::string event;        // "" when none was found
  std::string call_id;      // "" when none was found (see event_name.hpp)
  std::string delivery_id;  // webhook-id / svix-id header, else a body hash
  bool duplicate = false;   // the delivery id was seen before
  int status = 0;
  std::optional<ForwardResult> forward;  // with SinkOptions::forward_url: the receiver's answer
  std::string forward_url;               // where it was forwarded
};

class Sink {
 public:
  explicit Sink(SinkOptions options = {});
  ~Sink();
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Opens the record file, binds and serves on its own threads; returns the
  // bound port. Throws std::runtime_error when the port is busy or the record
  // file cannot be opened.
  int start();
  // Stops serving (requests waiting in a delay are answered at once) and
  // closes the record file. Safe to call more than once.
  void stop();
  // "http://127.0.0.1:PORT" once started.
  std::string url() const;
  // url() + "/recordings", for vendors' recording URLs.
  std::string recordings_url() const;
  // Webhooks answered so far (recording downloads not included).
  std::uint64_t received() const;
  // Webhooks that have arrived, also those not answered yet (waiting in a
  // rule's delay): what a test waits for instead of sleeping.
  std::uint64_t arrived() const;
  // Recording downloads answered with 200 so far.
  std::uint64_t recordings_served() const;
  // Every webhook so far, in the order answered; empty unless keep_requests.
  std::vector<Received> requests() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// The JSONL line (without newline) recorded for one webhook.
std::string record_line(const Received& received);
// The line printed for one request:
// "12:00:01.234  POST /hooks  runtime.call.end  call CA12...  id msg_2Q...  dup  200  812 B"
// (call and id only when known; "dup" when the delivery id was seen before).
std::string print_line(const std::string& time, const std::string& method, const std::string& path,
                       const std::string& event, int status, std::size_t body_bytes);
std::string print_line(const Received& received);

}  // namespace callhook::sink
