// callhook tail: a run's attempts as they happen, one line each, from a
// `callhook serve` run (its Server-Sent Events) or from a journal file as a
// run writes it (serve::JournalTail, which hands over whole lines only).
#include <httplib.h>

#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>
#include <utility>

#include "cli/cli.hpp"
#include "cli/options.hpp"
#include "cli/scenario_input.hpp"
#include "cli/tail_lines.hpp"
#include "serve/journal_tail.hpp"
#include "util/json_limits.hpp"
#include "util/url.hpp"

namespace callhook::cli {
namespace {

constexpr auto k_poll = std::chrono::milliseconds(100);

const Help k_tail_help{
    "tail",
    "callhook tail JOURNAL [--follow] [--json]\n"
    "callhook tail http[s]://HOST:PORT/runs/ID [--token T] [--insecure] [--json]\n"
    "callhook tail ID --server http[s]://HOST:PORT [--token T] [--insecure] [--json]",
    "Prints a run's attempts as lines: the time since the run began, the call, the event, the attempt\n"
    "number, the status (or transport error), the latency and the verdict; then each delivery's outcome\n"
    "(\"= delivered after 1 attempt\"), findings and the run's end. --json prints the records as they are.\n\n"
    "From a journal file it prints what the file holds; --follow waits for the file (a run about to\n"
    "start) and for more lines as the run writes them, like tail -f, and stops at the run's end record.\n"
    "From a `callhook serve` run (its URL, or its id with --server) it follows GET /runs/ID/events\n"
    "until the run ends, sending --token (default: $CALLHOOK_TOKEN) as a bearer token (--insecure: no\n"
    "certificate check over https). Exit 0 once the run's end was shown (or a journal without --follow\n"
    "was read), 2 for an unknown run or file, 3 when the server cannot be reached or the stream ends\n"
    "before the run does.",
    "  callhook tail run.jsonl\n"
    "  callhook tail run.jsonl --follow\n"
    "  callhook tail http://127.0.0.1:8700/runs/run-1\n"
    "  callhook tail run-1 --server http://127.0.0.1:8700 --json"};

struct TailFlags {
  std::string source, server, token;
  bool follow = false, json = false, insecure = false;
};

// One record printed, as it is or as a line.
void show(std::string_view record, const TailFlags& flags, const std::string& source) {
  if (flags.json) {
    std::cout << record << "\n";
  } else if (const std::string line = tail_line(record, source); !line.empty()) {
    std::cout << line << "\n";
  }
  std::cout.flush();
}

// The journal writer starts every record with its kind (journal/journal.hpp).
bool is_end_record(std::string_view line) {
  constexpr std::string_view prefix = "{\"kind\":\"end\"";
  return line.substr(0, prefix.size()) == prefix && line.size() > prefix.size() &&
         (line[prefix.size()] == ',' || line[prefix.size()] == '}');
}

int tail_journal(const TailFlags& flags) {
  const std::string& path = flags.source;
  while (!std::filesystem::exists(path)) {
    if (!flags.follow) throw UsageError(path + ": no such journal file");
    std::this_thread::sleep_for(k_poll);
  }
  serve::JournalTail tail(path);
  bool first = true;
  for (;;) {
    std::vector<std::string> lines;
    tail.read_lines(lines);
    for (const auto& line : lines) {
      if (line.empty()) continue;
      if (first && line.substr(0, 15) != "{\"kind\":\"run\",\"")
        throw UsageError(path + ":1: not a journal: it does not start with a run record");
      first = false;
      show(line, flags, path);
      if (is_end_record(line)) return k_exit_ok;
    }
    if (!flags.follow) return k_exit_ok;
    if (lines.empty()) std::this_thread::sleep_for(k_poll);
  }
}

// The `end` event's data is the run as GET /runs/ID shows it:
// "end: the run finished: 6 planned, 6 delivered, ...".
std::string end_line(const std::string& data) {
  const auto run = util::parse_json(data, util::k_journal_line_json);
  if (run.failure || !run.value.is_object()) return "end: the run ended";
  const util::Json& doc = run.value;
  std::string line = "end: the run ";
  line += doc.contains("state") && doc["state"].is_string() ? doc["state"].get<std::string>() : "ended";
  if (doc.contains("counters") && doc["counters"].is_object()) {
    const util::Json& counters = doc["counters"];
    const char* sep = ": ";
    for (const char* name : {"planned", "delivered", "failed", "dropped", "cancelled"})
      if (counters.contains(name) && counters[name].is_number_integer()) {
        line += sep + std::to_string(counters[name].get<std::int64_t>()) + " " + name;
        sep = ", ";
      }
  }
  return line;
}

// An error answer's "error" text, else the body as it is.
std::string error_text(const std::string& body) {
  const auto parsed = util::parse_json(body, util::k_answer_json);
  if (!parsed.failure && parsed.value.is_object() && parsed.value.contains("error") &&
      parsed.value["error"].is_string())
    return parsed.value["error"].get<std::string>();
  return body;
}

// The events of GET /runs/ID/events, split as they arrive. Per the
// Server-Sent Events format: lines end with LF or CRLF, a blank line ends an
// event, "field: value" (the space optional), several `data:` lines join with
// newlines, and `id:` lines and `:` comments (heartbeats) are skipped.
class EventStream {
 public:
  EventStream(const TailFlags& flags, std::string source) : m_flags(flags), m_source(std::move(source)) {}
  // Takes the next bytes; false once the `end` event was shown.
  bool feed(const char* data, std::size_t size) {
    m_buffer.append(data, size);
    std::size_t start = 0;
    for (auto newline = m_buffer.find('\n'); newline != std::string::npos; newline = m_buffer.find('\n', start)) {
      std::string_view line(m_buffer.data() + start, newline - start);
      start = newline + 1;
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!take_line(line)) return false;
    }
    m_buffer.erase(0, start);
    return true;
  }
  bool ended() const { return m_ended; }

 private:
  bool take_line(std::string_view line) {
    if (line.empty()) return dispatch();
    if (line.front() == ':') return true;
    const auto colon = line.find(':');
    const std::string_view field = line.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field == "event") m_name = value;
    if (field == "data") {
      if (m_has_data) m_data += '\n';
      m_data += value;
      m_has_data = true;
    }
    return true;
  }

  bool dispatch() {
    const std::string name = std::exchange(m_name, "");
    const std::string data = std::exchange(m_data, "");
    if (!std::exchange(m_has_data, false)) return true;
    if (name != "end") {
      show(data, m_flags, m_source);
      return true;
    }
    m_ended = true;
    if (m_flags.json)
      std::cout << data << "\n";
    else
      std::cout << end_line(data) << "\n";
    std::cout.flush();
    return false;
  }

  const TailFlags& m_flags;
  std::string m_source;
  std::string m_buffer;
  std::string m_name, m_data;
  bool m_has_data = false;
  bool m_ended = false;
};

int tail_server(const TailFlags& flags) {
  std::string url_text = flags.source;
  if (!flags.server.empty()) {
    url_text = flags.server;
    while (!url_text.empty() && url_text.back() == '/') url_text.pop_back();
    url_text += "/runs/" + flags.source;
  }
  const auto url = util::parse_url(url_text);
  if (!url) throw UsageError("expected an http:// or https:// URL of a run, got \"" + url_text + "\"");
  std::string path = url->target;
  if (path.size() < 7 || path.substr(path.size() - 7) != "/events") path += "/events";
  httplib::Client client(url->origin());
  if (flags.insecure) client.enable_server_certificate_verification(false);
  client.set_connection_timeout(5);
  client.set_read_timeout(3600);  // a quiet run still ends with its `end` event
  httplib::Headers headers{{"Accept", "text/event-stream"}};
  if (!flags.token.empty()) headers.emplace("Authorization", "Bearer " + flags.token);
  EventStream events(flags, url_text);
  std::string error_body;
  int status = 0;
  const auto answer = client.Get(
      path, headers,
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, std::size_t size) {
        if (status != 200) {
          error_body.append(data, size);
          return error_body.size() < 64 * 1024;
        }
        return events.feed(data, size);
      });
  if (events.ended()) return k_exit_ok;
  if (status != 0 && status != 200)
    throw UsageError(url_text + ": HTTP " + std::to_string(status) +
                     (error_body.empty() ? "" : ": " + error_text(error_body)));
  if (!answer) {
    std::cerr << "callhook: error: " << url_text << ": cannot reach the server (" << httplib::to_string(answer.error())
              << ")\n";
    return k_exit_cannot_run;
  }
  std::cerr << "callhook: error: " << url_text << ": the stream ended before the run did\n";
  return k_exit_cannot_run;
}

}  // namespace

int command_tail(const std::vector<std::string>& args) {
  TailFlags flags;
  po::options_description options("options");
  options.add_options()("source", po::value(&flags.source)->value_name("URL|ID|JOURNAL")->required(),
                        "a run's URL, its id (with --server) or a journal file")(
      "server", po::value(&flags.server)->value_name("URL"), "the callhook serve address, for a run id")(
      "token", po::value(&flags.token)->value_name("T"), "bearer token (default: $CALLHOOK_TOKEN)")(
      "follow,f", po::bool_switch(&flags.follow), "journal: wait for more lines until the run's end")(
      "insecure", po::bool_switch(&flags.insecure), "https: skip the certificate check")(
      "json", po::bool_switch(&flags.json), "print the records as they are");
  po::positional_options_description positional;
  positional.add("source", 1);
  po::variables_map vm;
  if (parse_args(args, options, positional, vm, k_tail_help)) return k_exit_ok;
  if (flags.token.empty())
    if (const char* env = std::getenv("CALLHOOK_TOKEN")) flags.token = env;
  const bool remote =
      !flags.server.empty() || flags.source.rfind("http://", 0) == 0 || flags.source.rfind("https://", 0) == 0;
  if (dry_run()) {
    if (!remote && !flags.follow && !std::filesystem::exists(flags.source))
      throw UsageError(flags.source + ": no such journal file");
    return k_exit_ok;
  }
  return remote ? tail_server(flags) : tail_journal(flags);
}

}  // namespace callhook::cli
