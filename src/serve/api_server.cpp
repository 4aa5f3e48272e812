#include "serve/api_server.hpp"

#include <httplib.h>
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <thread>

#include "run/run_session.hpp"
#include "run/sample_delivery.hpp"
#include "serve/explore_jobs.hpp"
#include "serve/journal_tail.hpp"
#include "serve/run_registry.hpp"
#include "serve/run_request.hpp"
#include "serve/trigger.hpp"
#include "util/json_limits.hpp"
#include "vendors/vendor.hpp"

namespace callhook::serve {
namespace {

using OJson = nlohmann::ordered_json;

// Long polls end after this long at most; clients poll again.
constexpr double k_max_wait_s = 60;
// How often streams look at the journal for new lines.
constexpr auto k_stream_poll = std::chrono::milliseconds(50);
// Worker threads: long polls and streams each hold one while they last.
constexpr std::size_t k_worker_threads = 32;

std::string dump(const OJson& json) {
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

void send_json(httplib::Response& res, int status, const OJson& body) {
  res.status = status;
  res.set_content(dump(body), "application/json");
}

void send_error(httplib::Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}});
}

OJson problems_json(const util::Problems& problems) {
  OJson list = OJson::array();
  for (const auto& p : problems.list()) list.push_back({{"pointer", p.pointer}, {"message", p.message}});
  return list;
}

void send_problems(httplib::Response& res, const std::string& message, const util::Problems& problems,
                   const std::string& source, int status = 400) {
  send_json(res, status,
            {{"error", message}, {"problems", problems_json(problems)}, {"text", problems.format(source)}});
}

void send_refusal(httplib::Response& res, const RequestRefused& refused) {
  send_problems(res, refused.what(), refused.problems(), "request", refused.status());
}

std::string status_text(int status) {
  switch (status) {
    case 400: return "bad request";
    case 401: return "missing or wrong bearer token";
    case 404: return "no such route";
    case 405: return "method not allowed";
    case 413: return "request body too large";
    case 429: return "too many runs in flight";
    default: return "HTTP " + std::to_string(status);
  }
}

// Constant time over the expected token, so its length and prefix stay secret.
bool token_matches(const std::string& given, const std::string& expected) {
  unsigned char diff = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < expected.size(); ++i)
    diff |= static_cast<unsigned char>(expected[i] ^ (i < given.size() ? given[i] : 0));
  return diff == 0;
}

// ?wait=S, bounded by k_max_wait_s; 0 when absent; nullopt after a 400 for a bad value.
std::optional<double> wait_seconds(const httplib::Request& req, httplib::Response& res) {
  if (!req.has_param("wait")) return 0.0;
  const std::string text = req.get_param_value("wait");
  const auto seconds = query_seconds(text);
  if (!seconds) {
    send_error(res, 400, "wait: expected a number of seconds, got \"" + text + "\"");
    return std::nullopt;
  }
  return std::min(*seconds, k_max_wait_s);
}

OJson run_links(const std::string& id) {
  const std::string self = "/runs/" + id;
  return {{"self", self}, {"report", self + "/report"}, {"journal", self + "/journal"}, {"events", self + "/events"}};
}

OJson describe_run(const Run& run) {
  OJson out = run.describe();
  out["urls"] = run_links(run.id());
  return out;
}

OJson vendor_json(const vendors::VendorInfo& v) {
  return {{"name", v.name},
          {"title", v.title},
          {"events", v.events},
          {"platforms", v.platforms},
          {"transport", v.transport},
          {"defaults",
           {{"timeout_ms", v.defaults.timeout_ms},
            {"max_attempts", v.defaults.retry.max_attempts},
            {"signing", v.defaults.signing}}}};
}

// A temporary directory of its own for the runs' journals.
std::string make_journal_dir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/callhook-serve-XXXXXX";
  if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a directory for journals in " + pattern);
  return pattern;
}

}  // namespace

struct ApiServer::Impl {
  ServeOptions options;
  bool own_journal_dir = false;
  std::unique_ptr<RunRegistry> registry;
  std::unique_ptr<ExploreJobs> explores;
  httplib::Server server;
  std::thread thread;
  std::atomic<bool> stopping{false};

  explicit Impl(ServeOptions o) : options(std::move(o)) {
    if (options.journal_dir.empty()) {
      options.journal_dir = make_journal_dir();
      own_journal_dir = true;
    }
    registry = std::make_unique<RunRegistry>(options.keep, options.max_runs, options.journal_dir);
    explores = std::make_unique<ExploreJobs>(options.journal_dir, options.keep, options.max_runs);
  }

  // Token and size checks, before any route reads the body.
  httplib::Server::HandlerResponse before_routing(const httplib::Request& req, httplib::Response& res) const {
    if (!options.token.empty() && req.path != "/healthz") {
      const std::string auth = req.get_header_value("Authorization");
      const std::string prefix = "Bearer ";
      if (auth.compare(0, prefix.size(), prefix) != 0 || !token_matches(auth.substr(prefix.size()), options.token)) {
        res.set_header("WWW-Authenticate", "Bearer");
        res.set_header("Connection", "close");  // the body, if any, is not read
        send_error(res, 401, status_text(401));
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (req.has_header("Content-Length")) {
      const auto length = std::strtoull(req.get_header_value("Content-Length").c_str(), nullptr, 10);
      if (length > options.max_body) {
        res.set_header("Connection", "close");
        send_error(res, 413,
                   "request body of " + std::to_string(length) + " bytes is over the limit of " +
                       std::to_string(options.max_body) + " (--max-body)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    return httplib::Server::HandlerResponse::Unhandled;
  }

  std::shared_ptr<Run> find_run(const httplib::Request& req, httplib::Response& res) const {
    auto run = registry->find(req.matches[1]);
    if (!run)
      send_error(res, 404, "no run \"" + std::string(req.matches[1]) + "\" (finished runs are kept up to --keep)");
    return run;
  }

  void create_run(const httplib::Request& req, httplib::Response& res) {
    util::Problems problems;
    auto options_parsed = parse_run_request(req.body, options.policy, problems);
    if (!options_parsed) return send_problems(res, "invalid request", problems, "request");
    auto slot = registry->reserve();
    if (!slot) {
      return send_error(res, 429,
                        std::to_string(registry->max_running()) +
                            " runs are in flight (--max-runs); wait for one to end or cancel one");
    }
    run::RunOptions run_options = std::move(*options_parsed);
    run_options.journal_path = slot->journal_path;
    run_options.keep_call_ids = true;  // the JUnit report lists every call
    run_options.flush_journal_live = true;
    auto session = std::make_unique<run::RunSession>(std::move(run_options));
    try {
      if (!session->prepare()) {
        registry->abandon(*slot);
        return send_problems(res, "invalid scenario", scenario_problems(session->problems()), "request");
      }
    } catch (const RequestRefused& e) {
      registry->abandon(*slot);
      return send_refusal(res, e);
    } catch (const run::Unavailable& e) {
      registry->abandon(*slot);
      return send_error(res, 503, e.what());
    } catch (const run::FieldSetError& e) {  // a "set" that names no field of the payloads
      registry->abandon(*slot);
      util::Problems set_problems;
      run::add_problem(set_problems, e);
      return send_problems(res, "invalid request", set_problems, "request");
    } catch (const run::BadInput& e) {
      registry->abandon(*slot);
      return send_error(res, 400, e.what());
    } catch (const std::exception& e) {
      registry->abandon(*slot);
      return send_error(res, 500, std::string("cannot start the run: ") + e.what());
    }
    std::shared_ptr<Run> run;
    try {
      run = registry->start(*slot, std::move(session));
    } catch (const run::Unavailable& e) {
      return send_error(res, 503, e.what());
    }
    res.set_header("Location", "/runs/" + run->id());
    send_json(res, 201, describe_run(*run));
  }

  void get_run(const httplib::Request& req, httplib::Response& res) const {
    auto run = find_run(req, res);
    if (!run) return;
    const auto wait = wait_seconds(req, res);
    if (!wait) return;
    if (*wait > 0) run->wait(*wait);
    send_json(res, 200, describe_run(*run));
  }

  void get_report(const httplib::Request& req, httplib::Response& res) const {
    auto run = find_run(req, res);
    if (!run) return;
    const std::string format = req.has_param("format") ? req.get_param_value("format") : "json";
    if (format != "json" && format != "junit" && format != "text" && format != "html")
      return send_error(res, 400, "format: expected json, junit, text or html, got \"" + format + "\"");
    if (format == "html")
      return send_error(
          res, 501,
          "the API does not render the HTML report: fetch the journal and run `callhook report JOURNAL --html FILE`");
    if (!run->ended())
      return send_error(res, 409, run->id() + " is still running; wait with GET /runs/" + run->id() + "?wait=30");
    const auto reports = run->reports();
    if (!reports) return send_error(res, 409, run->id() + " failed before it had a report: see GET /runs/" + run->id());
    if (format == "json") res.set_content(reports->json, "application/json");
    if (format == "junit") res.set_content(reports->junit, "application/xml");
    if (format == "text") res.set_content(reports->text, "text/plain; charset=utf-8");
  }

  // The journal (JSONL), or its records as Server-Sent Events, streamed as
  // the run writes them, until it has ended and every line was sent.
  void stream_journal(const httplib::Request& req, httplib::Response& res, bool as_events) {
    auto run = find_run(req, res);
    if (!run) return;
    auto tail = std::make_shared<JournalTail>(run->journal_path());
    if (as_events) res.set_header("Cache-Control", "no-cache");
    res.set_chunked_content_provider(
        as_events ? "text/event-stream" : "application/x-ndjson",
        [this, run, tail, as_events](std::size_t, httplib::DataSink& sink) {
          const bool ended = run->ended();  // before reading: the last lines are written before the end
          std::vector<std::string> lines;
          tail->read_lines(lines);
          std::string out;
          for (const auto& line : lines) {
            if (!as_events) {
              out.append(line).append("\n");
            } else if (const auto name = event_name_for_line(line); !name.empty()) {
              out += sse_event(name, line);
            }
          }
          if (ended && as_events)
            out += sse_event("end", describe_run(*run).dump(-1, ' ', false, OJson::error_handler_t::replace));
          if (!out.empty() && !sink.write(out.data(), out.size())) return false;
          if (ended || stopping) {
            sink.done();
            return true;
          }
          if (lines.empty()) std::this_thread::sleep_for(k_stream_poll);
          return sink.is_writable();
        });
  }

  void cancel_run(const httplib::Request& req, httplib::Response& res) const {
    auto run = find_run(req, res);
    if (!run) return;
    if (!run->ended()) {
      run->cancel(1);
      return send_json(res, 202, describe_run(*run));
    }
    registry->remove(run->id());
    res.status = 204;
  }

  void trigger(const httplib::Request& req, httplib::Response& res) const {
    util::Problems problems;
    const auto body = parse_json_body(req.body, problems);
    std::optional<OJson> answer;
    try {
      if (body) answer = send_trigger(*body, options.policy.targets, problems);
    } catch (const RequestRefused& e) {
      return send_refusal(res, e);
    } catch (const run::BadInput& e) {
      return send_error(res, 400, e.what());
    }
    if (!answer) return send_problems(res, "invalid trigger", problems, "trigger");
    send_json(res, 200, *answer);
  }

  void sample(const httplib::Request& req, httplib::Response& res) const {
    run::SampleRequest request;
    request.vendor = req.matches[1];
    request.event = req.matches[2];
    if (!vendors::find_vendor(request.vendor)) return send_error(res, 404, "no vendor \"" + request.vendor + "\"");
    if (req.has_param("seed")) {
      const std::string text = req.get_param_value("seed");
      const auto seed = query_seed(text);
      if (!seed) return send_error(res, 400, "seed: expected a non-negative integer, got \"" + text + "\"");
      request.seed = *seed;
    }
    if (req.has_param("platform")) request.platform = req.get_param_value("platform");
    if (req.has_param("direction")) request.direction = req.get_param_value("direction");
    util::Problems problems;
    std::optional<run::Sample> sample;
    try {
      sample = run::sample_delivery(request, problems);
    } catch (const run::BadInput& e) {
      return send_error(res, 404, e.what());
    }
    if (!sample) return send_problems(res, "invalid sample request", problems, "sample");
    OJson headers = OJson::array();
    for (const auto& h : sample->headers) headers.push_back({h.name, h.value});
    const auto& d = sample->delivery;
    send_json(res, 200,
              {{"vendor", request.vendor},
               {"event", d.event},
               {"method", d.method},
               {"url", d.url},
               {"content_type", d.content_type},
               {"headers", headers},
               {"body", d.body}});
  }

  // --- explores (callhook explore over HTTP) ---------------------------------

  std::shared_ptr<ExploreJob> find_explore(const httplib::Request& req, httplib::Response& res) const {
    auto job = explores->find(req.matches[1]);
    if (!job)
      send_error(res, 404, "no explore \"" + std::string(req.matches[1]) + "\" (finished ones are kept up to --keep)");
    return job;
  }

  void create_explore(const httplib::Request& req, httplib::Response& res) {
    util::Problems problems;
    const auto request = parse_explore_request(req.body, problems);
    if (!request) return send_problems(res, "invalid request", problems, "request");
    std::string source;
    auto prepared = explore::prepare_explore(*request, problems, source);
    if (!prepared) return send_problems(res, "invalid scenario", scenario_problems(problems), "request");
    const TargetPolicy& targets = options.policy.targets;
    util::Problems refused;
    refuse_target(targets, prepared->setup.target, "/target", refused);
    refuse_target(targets, prepared->setup.reset_url, "/reset", refused);
    refuse_scenario_targets(prepared->setup.scenario, targets, "/scenario", refused);
    if (!refused.empty()) return send_refusal(res, RequestRefused(403, std::move(refused)));
    auto job = explores->start(std::move(*prepared));
    if (!job)
      return send_error(res, 429,
                        std::to_string(explores->max_running()) + " explores are in flight (--max-runs); wait for one");
    res.set_header("Location", "/explores/" + job->id());
    send_json(res, 201, job->describe());
  }

  void get_explore(const httplib::Request& req, httplib::Response& res) const {
    auto job = find_explore(req, res);
    if (!job) return;
    const auto wait = wait_seconds(req, res);
    if (!wait) return;
    if (*wait > 0) job->wait(*wait);
    send_json(res, 200, job->describe());
  }

  // A failure's scenario (JSON, its comment lines dropped) or journal (JSONL).
  void get_failure(const httplib::Request& req, httplib::Response& res, bool journal) const {
    auto job = find_explore(req, res);
    if (!job) return;
    const std::string path = job->failure_path(std::strtoull(std::string(req.matches[2]).c_str(), nullptr, 10),
                                               journal ? ".jsonl" : ".json");
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in)
      return send_error(res, 404, "no failure " + std::string(req.matches[2]) + " in " + job->id());
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (journal) return res.set_content(text, "application/x-ndjson");
    send_json(res, 200, util::parse_ordered_json(text, util::k_scenario_json).value);
  }

  void routes() {
    server.set_pre_routing_handler(
        [this](const httplib::Request& req, httplib::Response& res) { return before_routing(req, res); });
    // Errors the library answers itself (no route, body over the limit) get
    // a JSON body too; answers that have one keep it.
    server.set_error_handler(httplib::Server::HandlerWithResponse([](const httplib::Request&, httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
      send_error(res, res.status, status_text(res.status));
      return httplib::Server::HandlerResponse::Handled;
    }));
    server.set_exception_handler([](const httplib::Request&, httplib::Response& res, const std::exception_ptr& error) {
      std::string message = "internal error";
      try {
        if (error) std::rethrow_exception(error);
      } catch (const std::exception& e) {
        message += std::string(": ") + e.what();
      } catch (...) {
      }
      send_error(res, 500, message);
    });
    server.Get("/healthz", [this](const httplib::Request&, httplib::Response& res) {
      send_json(res, 200, {{"ok", true}, {"runs_in_flight", registry->running()}});
    });
    server.Get("/vendors", [](const httplib::Request&, httplib::Response& res) {
      OJson list = OJson::array();
      for (const auto& v : vendors::registry()) list.push_back(vendor_json(v));
      send_json(res, 200, list);
    });
    server.Get(R"(/vendors/([^/]+)/events/([^/]+)/sample)",
               [this](const httplib::Request& req, httplib::Response& res) { sample(req, res); });
    server.Post("/trigger", [this](const httplib::Request& req, httplib::Response& res) { trigger(req, res); });
    server.Post("/runs", [this](const httplib::Request& req, httplib::Response& res) { create_run(req, res); });
    server.Get("/runs", [this](const httplib::Request&, httplib::Response& res) {
      OJson list = OJson::array();
      for (const auto& run : registry->list()) list.push_back(describe_run(*run));
      send_json(res, 200, list);
    });
    server.Get(R"(/runs/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) { get_run(req, res); });
    server.Delete(R"(/runs/([^/]+))",
                  [this](const httplib::Request& req, httplib::Response& res) { cancel_run(req, res); });
    server.Get(R"(/runs/([^/]+)/report)",
               [this](const httplib::Request& req, httplib::Response& res) { get_report(req, res); });
    server.Get(R"(/runs/([^/]+)/journal)",
               [this](const httplib::Request& req, httplib::Response& res) { stream_journal(req, res, false); });
    server.Get(R"(/runs/([^/]+)/events)",
               [this](const httplib::Request& req, httplib::Response& res) { stream_journal(req, res, true); });
    server.Post("/explores", [this](const httplib::Request& req, httplib::Response& res) { create_explore(req, res); });
    server.Get("/explores", [this](const httplib::Request&, httplib::Response& res) {
      OJson list = OJson::array();
      for (const auto& job : explores->list()) list.push_back(job->describe());
      send_json(res, 200, list);
    });
    server.Get(R"(/explores/([^/]+))",
               [this](const httplib::Request& req, httplib::Response& res) { get_explore(req, res); });
    server.Delete(R"(/explores/([^/]+))", [this](const httplib::Request& req, httplib::Response& res) {
      if (auto job = find_explore(req, res)) {
        job->stop();
        send_json(res, 202, job->describe());
      }
    });
    server.Get(R"(/explores/([^/]+)/failures/(\d+))",
               [this](const httplib::Request& req, httplib::Response& res) { get_failure(req, res, false); });
    server.Get(R"(/explores/([^/]+)/failures/(\d+)/journal)",
               [this](const httplib::Request& req, httplib::Response& res) { get_failure(req, res, true); });
  }
};

ApiServer::ApiServer(ServeOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
  m_impl->registry.reset();  // stops and joins every run, removes their journals
  m_impl->explores.reset();  // the same for explores
  if (m_impl->own_journal_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(m_impl->options.journal_dir, ignored);
  }
}

int ApiServer::start() {
  auto& impl = *m_impl;
  impl.routes();
  impl.server.new_task_queue = [] { return new httplib::ThreadPool(k_worker_threads); };
  impl.server.set_payload_max_length(impl.options.max_body);
  const auto& o = impl.options;
  int port = o.port;
  if (port == 0)
    port = impl.server.bind_to_any_port(o.host);
  else if (!impl.server.bind_to_port(o.host, port))
    port = -1;
  if (port <= 0)
    throw std::runtime_error("cannot listen on " + o.host + ":" + std::to_string(o.port) +
                             " (port in use or address not available)");
  auto finished = std::make_shared<std::atomic<bool>>(false);
  impl.thread = std::thread([&impl, finished] {
    impl.server.listen_after_bind();
    *finished = true;
  });
  // cpp-httplib has no readiness signal: wait until its accept loop runs.
  while (!impl.server.is_running()) {
    if (*finished) {
      impl.thread.join();
      throw std::runtime_error("cannot serve on " + o.host + ":" + std::to_string(port));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return port;
}

void ApiServer::stop() {
  auto& impl = *m_impl;
  if (impl.stopping.exchange(true)) return;
  impl.registry->cancel_all(2);
  impl.server.stop();
  if (impl.thread.joinable()) impl.thread.join();
}

}  // namespace callhook::serve
