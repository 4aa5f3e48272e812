#include "serve/api_server.hpp"

#include <stdlib.h>

#include <atomic>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <thread>

#include "import/captured.hpp"
#include "journal/reader.hpp"
#include "report/html_report.hpp"
#include "report/journal_report.hpp"
#include "report/report_reader.hpp"
#include "report/run_info.hpp"
#include "run/merged_report.hpp"
#include "run/run_session.hpp"
#include "run/sample_delivery.hpp"
#include "serve/explore_jobs.hpp"
#include "serve/http_server.hpp"
#include "serve/journal_stream.hpp"
#include "serve/openapi_document.hpp"
#include "serve/run_deliveries.hpp"
#include "serve/run_registry.hpp"
#include "serve/run_replay.hpp"
#include "serve/run_request.hpp"
#include "serve/run_verify.hpp"
#include "serve/scenario_library.hpp"
#include "serve/server_metrics.hpp"
#include "serve/trigger.hpp"
#include "util/json_limits.hpp"
#include "util/url.hpp"
#include "vendors/vendor.hpp"

namespace callhook::serve {
namespace {

using OJson = nlohmann::ordered_json;
using Verb = boost::beast::http::verb;
using ExchangePtr = std::shared_ptr<Exchange>;

// Long polls end after this long at most; clients poll again.
constexpr double k_max_wait_s = 60;
// How often streams look at the journal for new lines.
constexpr auto k_stream_poll = std::chrono::milliseconds(50);
// Threads for the work that may block (starting runs and explores, reports,
// deletes), and how many such requests may wait for one; triggers, which wait
// on their receiver, have their own, so they never delay the others.
constexpr PoolSize k_local_workers{16, 256};
constexpr PoolSize k_trigger_workers{32, 64};

std::string dump(const OJson& json) {
  return json.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

ApiResponse json_response(unsigned status, const OJson& body) {
  ApiResponse response;
  response.status = status;
  response.body = dump(body);
  return response;
}

ApiResponse text_response(std::string body, std::string content_type) {
  ApiResponse response;
  response.body = std::move(body);
  response.content_type = std::move(content_type);
  return response;
}

OJson problems_json(const util::Problems& problems) {
  OJson list = OJson::array();
  for (const auto& p : problems.list()) list.push_back({{"pointer", p.pointer}, {"message", p.message}});
  return list;
}

ApiResponse problems_response(const std::string& message, const util::Problems& problems, const std::string& source,
                              int status = 400) {
  return json_response(status,
                       {{"error", message}, {"problems", problems_json(problems)}, {"text", problems.format(source)}});
}

ApiResponse refusal_response(const RequestRefused& refused) {
  return problems_response(refused.what(), refused.problems(), "request", refused.status());
}

// ?wait=S, bounded by k_max_wait_s; 0 when absent; nullopt for a bad value.
std::optional<double> wait_seconds(const ApiRequest& req) {
  if (!req.has_param("wait")) return 0.0;
  const auto seconds = query_seconds(req.param("wait"));
  if (!seconds) return std::nullopt;
  return std::min(*seconds, k_max_wait_s);
}

ApiResponse bad_wait(const ApiRequest& req) {
  return error_response(400, "wait: expected a number of seconds, got \"" + req.param("wait") + "\"");
}

std::chrono::steady_clock::time_point deadline_in(double seconds) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(seconds));
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

// The run a worker started, read by the io thread's long poll.
class CreatedRun {
 public:
  void set(std::shared_ptr<Run> run) {
    std::lock_guard lock(m_mutex);
    m_run = std::move(run);
  }
  std::shared_ptr<Run> get() const {
    std::lock_guard lock(m_mutex);
    return m_run;
  }

 private:
  mutable std::mutex m_mutex;
  std::shared_ptr<Run> m_run;
};

// ?format= of a report: the formats of `callhook report`.
bool known_format(const std::string& format) {
  return format == "json" || format == "junit" || format == "text" || format == "html";
}

ApiResponse bad_format(const std::string& format) {
  return error_response(400, "format: expected json, junit, text or html, got \"" + format + "\"");
}

// GET /runs?state=: the names a run's state may have.
bool known_state(const std::string& state) {
  for (const auto s : {RunState::Running, RunState::Finished, RunState::Interrupted, RunState::Failed})
    if (state == state_name(s)) return true;
  return false;
}

}  // namespace

struct ApiServer::Impl {
  ServeOptions options;
  bool own_journal_dir = false;
  std::unique_ptr<RunRegistry> registry;
  std::unique_ptr<ExploreJobs> explores;
  std::shared_ptr<ServerCore> core = std::make_shared<ServerCore>();
  std::unique_ptr<HttpServer> http;
  std::atomic<bool> stopping{false};

  explicit Impl(ServeOptions o) : options(std::move(o)) {
    options.policy.listen_host = options.host;
    if (options.journal_dir.empty()) {
      options.journal_dir = make_journal_dir();
      own_journal_dir = true;
    }
    registry = std::make_unique<RunRegistry>(options.keep, options.max_runs, options.journal_dir);
    explores = std::make_unique<ExploreJobs>(options.journal_dir, options.keep, options.max_runs);
  }

  // The journal directory, made again when something removed it; the
  // reason it cannot be, or "".
  std::string journal_dir_problem() const {
    std::error_code ec;
    if (std::filesystem::is_directory(options.journal_dir, ec)) return "";
    std::filesystem::create_directories(options.journal_dir, ec);
    if (ec) return "the journal directory " + options.journal_dir + " is missing and cannot be made: " + ec.message();
    return "";
  }

  std::shared_ptr<Run> find_run(const ApiRequest& req, const ExchangePtr& ex) const {
    auto run = registry->find(req.captures[0]);
    if (!run)
      ex->respond(error_response(404, "no run \"" + req.captures[0] + "\" (finished runs are kept up to --keep)"));
    return run;
  }

  // Starts a run; the run started is left in `made` (for POST /runs?wait=).
  ApiResponse create_run(const std::string& body, const std::shared_ptr<CreatedRun>& made) {
    util::Problems problems;
    auto options_parsed = parse_run_request(body, options.policy, problems);
    const auto names = options_parsed ? parse_run_names(body, problems) : std::nullopt;
    if (!options_parsed || !names) return problems_response("invalid request", problems, "request");
    if (const auto problem = journal_dir_problem(); !problem.empty()) return error_response(503, problem);
    auto slot = registry->reserve(names->id_prefix);
    if (!slot) {
      ApiResponse busy = error_response(429, std::to_string(registry->max_running()) +
                                                 " runs are in flight (--max-runs); wait for one to end or cancel one");
      busy.headers.emplace_back("Retry-After", "1");
      return busy;
    }
    slot->label = names->label;
    run::RunOptions run_options = std::move(*options_parsed);
    run_options.journal_path = slot->journal_path;
    run_options.keep_call_ids = true;  // the JUnit report lists every call
    run_options.flush_journal_live = true;
    auto session = std::make_unique<run::RunSession>(std::move(run_options));
    try {
      if (!session->prepare()) {
        registry->abandon(*slot);
        return problems_response("invalid scenario", scenario_problems(session->problems()), "request");
      }
    } catch (const RequestRefused& e) {
      registry->abandon(*slot);
      return refusal_response(e);
    } catch (const run::Unavailable& e) {
      registry->abandon(*slot);
      return error_response(503, e.what());
    } catch (const run::FieldSetError& e) {  // a "set" that names no field of the payloads
      registry->abandon(*slot);
      util::Problems set_problems;
      run::add_problem(set_problems, e);
      return problems_response("invalid request", set_problems, "request");
    } catch (const run::BadInput& e) {
      registry->abandon(*slot);
      return error_response(400, e.what());
    } catch (const std::exception& e) {
      registry->abandon(*slot);
      return error_response(503, std::string("cannot start the run: ") + e.what());
    }
    std::shared_ptr<Run> run;
    try {
      run = registry->start(*slot, std::move(session));
    } catch (const run::Unavailable& e) {
      return error_response(503, e.what());
    }
    made->set(run);
    ApiResponse created = json_response(201, describe_run(*run));
    created.headers.emplace_back("Location", "/runs/" + run->id());
    return created;
  }

  // POST /runs and its replay: `make` starts the run on a worker; with
  // ?wait=S the 201 comes when the run has ended, or S seconds have passed.
  template <class Make>
  void start_run(ApiRequest& req, const ExchangePtr& ex, Make make) {
    const auto wait = wait_seconds(req);
    if (!wait) return ex->respond(bad_wait(req));
    auto made = std::make_shared<CreatedRun>();
    Hold hold;
    if (*wait > 0) {
      hold.until = deadline_in(*wait);
      hold.done = [made] { return made->get() && made->get()->ended(); };
      hold.refresh = [made](ApiResponse created) {
        created.body = dump(describe_run(*made->get()));
        return created;
      };
    }
    ex->offload([made, make = std::move(make), body = std::move(req.message.body())] { return make(body, made); },
                Lane::local, hold);
  }

  // POST /runs/{id}/replay: the run's requests again, as a new run (serve/run_replay).
  ApiResponse replay(const std::shared_ptr<Run>& run, const std::string& body,
                     const std::shared_ptr<CreatedRun>& made) {
    if (!run->ended())
      return error_response(409, run->id() + " is still running; wait with GET /runs/" + run->id() + "?wait=30");
    const auto reports = run->reports();
    if (!reports) return error_response(409, run->id() + " failed before it sent anything: see GET /runs/" + run->id());
    Recorded recorded;
    const auto report = util::parse_json(reports->json, util::k_report_json).value;
    if (const auto* block = report.contains("run") ? &report["run"] : nullptr) {
      if (block->contains("speed")) recorded.speed = (*block)["speed"];
      const auto& targets = block->value("targets", util::Json::array());
      if (!targets.empty() && targets[0].is_string())
        if (const auto url = util::parse_url(targets[0].get<std::string>())) recorded.origin = url->origin();
    }
    util::Problems problems;
    std::optional<std::string> run_body;
    try {
      run_body = replay_run_body(run->journal_path(), run->id(), recorded, body, problems);
    } catch (const import::ImportError& e) {
      return error_response(409, run->id() + " has nothing to replay: " + e.what());
    }
    if (!run_body) return problems_response("invalid request", problems, "request");
    return create_run(*run_body, made);
  }

  void get_run(ApiRequest& req, const ExchangePtr& ex) const {
    auto run = find_run(req, ex);
    if (!run) return;
    const auto wait = wait_seconds(req);
    if (!wait) return ex->respond(bad_wait(req));
    // A long poll holds no thread: the io thread looks at the run every 50 ms.
    ex->wait_until(
        deadline_in(*wait), [run] { return run->ended(); }, [run] { return json_response(200, describe_run(*run)); });
  }

  static ApiResponse report(const std::shared_ptr<Run>& run, const std::string& format) {
    if (!known_format(format)) return bad_format(format);
    if (!run->ended())
      return error_response(409, run->id() + " is still running; wait with GET /runs/" + run->id() + "?wait=30");
    const auto reports = run->reports();
    if (!reports) return error_response(409, run->id() + " failed before it had a report: see GET /runs/" + run->id());
    if (format == "html") {
      // As `run --html` writes it: the JSON report's numbers, the timeline from the journal.
      try {
        const auto document = util::parse_ordered_json(reports->json, util::k_report_json).value;
        std::ostringstream page;
        report::write_html(page, document, report::read_journal_report(run->journal_path()).timeline);
        return text_response(page.str(), "text/html; charset=utf-8");
      } catch (const journal::JournalError& e) {
        return error_response(409, run->id() + " has no readable journal: " + e.what());
      }
    }
    if (format == "junit") return text_response(reports->junit, "application/xml");
    if (format == "text") return text_response(reports->text, "text/plain; charset=utf-8");
    return text_response(reports->json, "application/json");
  }

  // The journal (JSONL), or its records as Server-Sent Events, streamed as
  // the run writes them, until it has ended and every line was sent.
  void stream_journal(ApiRequest& req, const ExchangePtr& ex, bool as_events) const {
    auto run = find_run(req, ex);
    if (!run) return;
    std::uint64_t after = 0;
    if (as_events) {
      const std::string last = req.header("Last-Event-ID");
      char* end = nullptr;
      const unsigned long long value = std::strtoull(last.c_str(), &end, 10);
      if (!last.empty() && *end == '\0' && last.find('-') == std::string::npos) after = value;
    }
    auto stream = std::make_shared<JournalStream>(run, as_events, after, [](const Run& r) {
      return describe_run(r).dump(-1, ' ', false, OJson::error_handler_t::replace);
    });
    ApiResponse head;
    head.content_type = as_events ? "text/event-stream" : "application/x-ndjson";
    if (as_events) head.headers.emplace_back("Cache-Control", "no-cache");
    ex->stream(std::move(head), k_stream_poll, [stream](bool stop) { return stream->next(stop); });
  }

  // A running run is cancelled (again, harmlessly); an ended one is deleted
  // only when asked with ?purge=1, so a retried cancel never destroys results.
  ApiResponse delete_run(const std::shared_ptr<Run>& run, bool purge) const {
    if (!run->ended()) {
      run->cancel(1);
      return json_response(202, describe_run(*run));
    }
    if (!purge)
      return error_response(409, run->id() + " has ended (" + state_name(run->state()) + "); DELETE /runs/" +
                                     run->id() + "?purge=1 deletes it with its report and journal");
    registry->remove(run->id());
    ApiResponse gone;
    gone.status = 204;
    return gone;
  }

  // Static (it runs on an offload thread): the target rules come as a copy.
  static ApiResponse trigger(const std::string& body, const TargetPolicy& targets) {
    util::Problems problems;
    const auto parsed = parse_json_body(body, problems);
    std::optional<OJson> answer;
    try {
      if (parsed) answer = send_trigger(*parsed, targets, problems);
    } catch (const RequestRefused& e) {
      return refusal_response(e);
    } catch (const run::BadInput& e) {
      return error_response(400, e.what());
    }
    if (!answer) return problems_response("invalid trigger", problems, "trigger");
    return json_response(200, *answer);
  }

  // GET /scenarios: the library's scenarios, by name, with what each is for.
  static ApiResponse list_scenarios(const std::string& dir) {
    OJson list = OJson::array();
    for (const std::string& name : scenario_names(dir))
      if (const auto text = read_library_scenario(dir, name))
        list.push_back({{"name", name}, {"description", scenario_description(*text)}});
    return json_response(200, list);
  }

  static ApiResponse sample(const ApiRequest& req) {
    run::SampleRequest request;
    request.vendor = req.captures[0];
    request.event = req.captures[1];
    if (!vendors::find_vendor(request.vendor)) return error_response(404, "no vendor \"" + request.vendor + "\"");
    if (req.has_param("seed")) {
      const std::string text = req.param("seed");
      const auto seed = query_seed(text);
      if (!seed) return error_response(400, "seed: expected a non-negative integer, got \"" + text + "\"");
      request.seed = *seed;
    }
    if (req.has_param("platform")) request.platform = req.param("platform");
    if (req.has_param("direction")) request.direction = req.param("direction");
    util::Problems problems;
    std::optional<run::Sample> sample;
    try {
      sample = run::sample_delivery(request, problems);
    } catch (const run::BadInput& e) {
      return error_response(404, e.what());
    }
    if (!sample) return problems_response("invalid sample request", problems, "sample");
    OJson headers = OJson::array();
    for (const auto& h : sample->headers) headers.push_back({h.name, h.value});
    const auto& d = sample->delivery;
    return json_response(200, {{"vendor", request.vendor},
                               {"event", d.event},
                               {"method", d.method},
                               {"url", d.url},
                               {"content_type", d.content_type},
                               {"headers", headers},
                               {"body", d.body}});
  }

  // --- explores (callhook explore over HTTP) ---------------------------------

  std::shared_ptr<ExploreJob> find_explore(const ApiRequest& req, const ExchangePtr& ex) const {
    auto job = explores->find(req.captures[0]);
    if (!job)
      ex->respond(error_response(404, "no explore \"" + req.captures[0] + "\" (finished ones are kept up to --keep)"));
    return job;
  }

  ApiResponse create_explore(const std::string& body) {
    util::Problems problems;
    const auto request = parse_explore_request(body, problems);
    if (!request) return problems_response("invalid request", problems, "request");
    if (const auto problem = journal_dir_problem(); !problem.empty()) return error_response(503, problem);
    std::string source;
    auto prepared = explore::prepare_explore(*request, problems, source);
    if (!prepared) return problems_response("invalid scenario", scenario_problems(problems), "request");
    const TargetPolicy& targets = options.policy.targets;
    util::Problems refused;
    refuse_target(targets, prepared->setup.target, "/target", refused);
    refuse_target(targets, prepared->setup.reset_url, "/reset", refused);
    refuse_scenario_targets(prepared->setup.scenario, targets, "/scenario", refused);
    if (!refused.empty()) return refusal_response(RequestRefused(403, std::move(refused)));
    auto job = explores->start(std::move(*prepared));
    if (!job)
      return error_response(
          429, std::to_string(explores->max_running()) + " explores are in flight (--max-runs); wait for one");
    ApiResponse created = json_response(201, job->describe());
    created.headers.emplace_back("Location", "/explores/" + job->id());
    return created;
  }

  void get_explore(ApiRequest& req, const ExchangePtr& ex) const {
    auto job = find_explore(req, ex);
    if (!job) return;
    const auto wait = wait_seconds(req);
    if (!wait) return ex->respond(bad_wait(req));
    ex->wait_until(
        deadline_in(*wait), [job] { return job->ended(); }, [job] { return json_response(200, job->describe()); });
  }

  // A failure's scenario (JSON, its comment lines dropped) or journal (JSONL).
  void get_failure(ApiRequest& req, const ExchangePtr& ex, bool journal) const {
    auto job = find_explore(req, ex);
    if (!job) return;
    const std::string path =
        job->failure_path(std::strtoull(req.captures[1].c_str(), nullptr, 10), journal ? ".jsonl" : ".json");
    std::ifstream in(path, std::ios::binary);
    if (path.empty() || !in)
      return ex->respond(error_response(404, "no failure " + req.captures[1] + " in " + job->id()));
    std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (journal) return ex->respond(text_response(std::move(text), "application/x-ndjson"));
    ex->respond(json_response(200, util::parse_ordered_json(text, util::k_scenario_json).value));
  }

  // GET /runs?label=&state=&after=ID&limit=N: oldest first; a Link header
  // names the next page when there is one.
  ApiResponse list_runs(const ApiRequest& req) const {
    const std::string label = req.param("label");
    const std::string state = req.param("state");
    if (!state.empty() && !known_state(state))
      return error_response(400, "state: expected running, finished, interrupted or failed, got \"" + state + "\"");
    std::size_t limit = 1000;
    if (req.has_param("limit")) {
      const auto value = query_count(req.param("limit"), 1, 1000);
      if (!value) return error_response(400, "limit: expected 1 to 1000, got \"" + req.param("limit") + "\"");
      limit = static_cast<std::size_t>(*value);
    }
    const std::string after = req.param("after");
    const auto runs = registry->list();
    auto it = runs.begin();
    if (!after.empty()) {
      it = std::find_if(runs.begin(), runs.end(), [&](const auto& run) { return run->id() == after; });
      if (it == runs.end()) return error_response(400, "after: no run \"" + after + "\" is kept");
      ++it;
    }
    OJson list = OJson::array();
    std::string last;
    bool more = false;
    for (; it != runs.end(); ++it) {
      const Run& run = **it;
      if (!label.empty() && run.label() != label) continue;
      if (!state.empty() && state_name(run.state()) != state) continue;
      if (list.size() == limit) {
        more = true;
        break;
      }
      list.push_back(describe_run(run));
      last = run.id();
    }
    ApiResponse answer = json_response(200, list);
    if (more) {
      std::string next = "/runs?after=" + last + "&limit=" + std::to_string(limit);
      if (!label.empty()) next += "&label=" + util::form_encode(label);
      if (!state.empty()) next += "&state=" + state;
      answer.headers.emplace_back("Link", "<" + next + ">; rel=\"next\"");
    }
    return answer;
  }

  // POST /reports/merge: the reports of shards' runs joined, as `callhook
  // merge` joins their report files (the HTML page without a timeline, as
  // merge gives it without --journal).
  ApiResponse merge(const std::string& body, const std::string& format) const {
    if (!known_format(format)) return bad_format(format);
    util::Problems problems;
    const auto ids = parse_run_ids(body, problems);
    if (!ids) return problems_response("invalid request", problems, "request");
    std::vector<report::ReadReport> parts;
    bool missing = false;  // 404 when a run is unknown, 409 when one has no report (yet)
    for (std::size_t i = 0; i < ids->size(); ++i) {
      const std::string& id = (*ids)[i];
      const std::string pointer = "/runs/" + std::to_string(i);
      const auto run = registry->find(id);
      const auto reports = run ? run->reports() : nullptr;
      if (reports)
        parts.push_back(report::ReportReader::read_text(reports->json, id));
      else if (!run)
        problems.add(pointer, "no run \"" + id + "\" (finished runs are kept up to --keep)");
      else
        problems.add(pointer, id + (run->ended() ? " failed before it had a report" : " is still running"));
      missing = missing || !run;
    }
    if (!problems.empty())
      return problems_response("cannot merge these runs", problems, "request", missing ? 404 : 409);
    try {
      const report::MergedReport merged = run::merge_shard_reports(std::move(parts), *ids);
      const run::ReportSet set(merged.stats, merged.info, merged.expectations);
      if (format == "junit") return text_response(set.junit(), "application/xml");
      if (format == "text") return text_response(set.text(), "text/plain; charset=utf-8");
      if (format == "html") return text_response(set.html({}), "text/html; charset=utf-8");
      return text_response(set.json_text(), "application/json");
    } catch (const report::ReportError& e) {
      return error_response(400, e.what());
    }
  }

  static ApiResponse verify(const std::shared_ptr<Run>& run, const std::string& body) {
    if (!run->ended())
      return error_response(409, run->id() + " is still running; wait with GET /runs/" + run->id() + "?wait=30");
    util::Problems problems;
    try {
      const auto verdict = verify_run(run->journal_path(), body, problems);
      if (!verdict) return problems_response("invalid request", problems, "request");
      return json_response(200, *verdict);
    } catch (const journal::JournalError& e) {
      return error_response(409, run->id() + " has no readable journal: " + e.what());
    }
  }

  ApiResponse info() const {
    OJson vendor_names = OJson::array();
    for (const auto& v : vendors::registry()) vendor_names.push_back(v.name);
    const std::size_t running = registry->running();
    return json_response(
        200, {{"version", report::k_version},
              {"limits",
               {{"max_runs", options.max_runs},
                {"keep", options.keep},
                {"max_body", options.max_body},
                {"max_connections", options.max_connections}}},
              {"runs",
               {{"in_flight", running}, {"free_slots", running < options.max_runs ? options.max_runs - running : 0}}},
              {"token_required", !options.token.empty()},
              {"tls", !options.tls_cert.empty()},
              {"vendors", vendor_names},
              {"openapi", "/openapi.yaml"}});
  }

  ApiResponse health() const {
    if (const auto problem = journal_dir_problem(); !problem.empty())
      return json_response(503, {{"ok", false}, {"error", problem}, {"runs_in_flight", registry->running()}});
    return json_response(200, {{"ok", true}, {"runs_in_flight", registry->running()}});
  }

  void routes(Router& r) {
    // Cheap answers come from the io thread; what may block goes to a worker.
    r.add(Verb::get, "/healthz", [this](ApiRequest&, const ExchangePtr& ex) { ex->respond(health()); });
    r.add(Verb::get, "/vendors", [](ApiRequest&, const ExchangePtr& ex) {
      OJson list = OJson::array();
      for (const auto& v : vendors::registry()) list.push_back(vendor_json(v));
      ex->respond(json_response(200, list));
    });
    r.add(Verb::get, "/vendors/{}/events/{}/sample",
          [](ApiRequest& req, const ExchangePtr& ex) { ex->respond(sample(req)); });
    r.add(Verb::post, "/trigger", [this](ApiRequest& req, const ExchangePtr& ex) {
      ex->offload(
          [body = std::move(req.message.body()), targets = options.policy.targets] { return trigger(body, targets); },
          Lane::remote);
    });
    r.add(Verb::post, "/runs", [this](ApiRequest& req, const ExchangePtr& ex) {
      start_run(req, ex, [this](const std::string& body, const std::shared_ptr<CreatedRun>& made) {
        return create_run(body, made);
      });
    });
    r.add(Verb::post, "/runs/{}/replay", [this](ApiRequest& req, const ExchangePtr& ex) {
      auto run = find_run(req, ex);
      if (!run) return;
      start_run(req, ex, [this, run](const std::string& body, const std::shared_ptr<CreatedRun>& made) {
        return replay(run, body, made);
      });
    });
    r.add(Verb::get, "/runs", [this](ApiRequest& req, const ExchangePtr& ex) { ex->respond(list_runs(req)); });
    r.add(Verb::get, "/scenarios", [this](ApiRequest&, const ExchangePtr& ex) {
      ex->offload([dir = options.policy.scenarios_dir] { return list_scenarios(dir); });
    });
    r.add(Verb::post, "/runs/{}/verify", [this](ApiRequest& req, const ExchangePtr& ex) {
      auto run = find_run(req, ex);
      if (!run) return;
      ex->offload([run, body = std::move(req.message.body())] { return verify(run, body); });
    });
    r.add(Verb::get, "/runs/{}/deliveries", [this](ApiRequest& req, const ExchangePtr& ex) {
      auto run = find_run(req, ex);
      if (!run) return;
      DeliveryFilter filter;
      filter.call = req.param("call");
      filter.event = req.param("event");
      filter.outcome = req.param("outcome");
      if (req.has_param("limit")) {
        const auto limit = query_count(req.param("limit"), 1, 100'000);
        if (!limit)
          return ex->respond(error_response(400, "limit: expected 1 to 100000, got \"" + req.param("limit") + "\""));
        filter.limit = static_cast<std::size_t>(*limit);
      }
      ex->offload([run, filter] { return json_response(200, list_deliveries(run->journal_path(), filter)); });
    });
    r.add(Verb::post, "/reports/merge", [this](ApiRequest& req, const ExchangePtr& ex) {
      const std::string format = req.has_param("format") ? req.param("format") : "json";
      ex->offload([this, format, body = std::move(req.message.body())] { return merge(body, format); });
    });
    r.add(Verb::get, "/info", [this](ApiRequest&, const ExchangePtr& ex) { ex->respond(info()); });
    r.add(Verb::get, "/openapi.yaml", [](ApiRequest&, const ExchangePtr& ex) {
      ex->respond(text_response(std::string(openapi_document()), "application/yaml"));
    });
    r.add(Verb::get, "/metrics", [this](ApiRequest&, const ExchangePtr& ex) {
      ex->respond(text_response(metrics_text(registry->list(), explores->list().size(), core->connections.load()),
                                "text/plain; version=0.0.4; charset=utf-8"));
    });
    r.add(Verb::post, "/reset", [this](ApiRequest&, const ExchangePtr& ex) {
      ex->offload([this] {
        const std::size_t explores_forgotten = explores->reset();
        return json_response(200, {{"runs_forgotten", registry->reset()}, {"explores_forgotten", explores_forgotten}});
      });
    });
    r.add(Verb::get, "/runs/{}", [this](ApiRequest& req, const ExchangePtr& ex) { get_run(req, ex); });
    r.add(Verb::delete_, "/runs/{}", [this](ApiRequest& req, const ExchangePtr& ex) {
      auto run = find_run(req, ex);
      if (!run) return;
      const bool purge = req.param("purge") == "1" || req.param("purge") == "true";
      ex->offload([this, run, purge] { return delete_run(run, purge); });
    });
    r.add(Verb::get, "/runs/{}/report", [this](ApiRequest& req, const ExchangePtr& ex) {
      auto run = find_run(req, ex);
      if (!run) return;
      const std::string format = req.has_param("format") ? req.param("format") : "json";
      ex->offload([run, format] { return report(run, format); });
    });
    r.add(Verb::get, "/runs/{}/journal",
          [this](ApiRequest& req, const ExchangePtr& ex) { stream_journal(req, ex, false); });
    r.add(Verb::get, "/runs/{}/events",
          [this](ApiRequest& req, const ExchangePtr& ex) { stream_journal(req, ex, true); });
    r.add(Verb::post, "/explores", [this](ApiRequest& req, const ExchangePtr& ex) {
      ex->offload([this, body = std::move(req.message.body())] { return create_explore(body); });
    });
    r.add(Verb::get, "/explores", [this](ApiRequest&, const ExchangePtr& ex) {
      OJson list = OJson::array();
      for (const auto& job : explores->list()) list.push_back(job->describe());
      ex->respond(json_response(200, list));
    });
    r.add(Verb::get, "/explores/{}", [this](ApiRequest& req, const ExchangePtr& ex) { get_explore(req, ex); });
    r.add(Verb::delete_, "/explores/{}", [this](ApiRequest& req, const ExchangePtr& ex) {
      if (auto job = find_explore(req, ex)) {
        job->stop();
        ex->respond(json_response(202, job->describe()));
      }
    });
    r.add(Verb::get, "/explores/{}/failures/{#}",
          [this](ApiRequest& req, const ExchangePtr& ex) { get_failure(req, ex, false); });
    r.add(Verb::get, "/explores/{}/failures/{#}/journal",
          [this](ApiRequest& req, const ExchangePtr& ex) { get_failure(req, ex, true); });
  }
};

ApiServer::ApiServer(ServeOptions options) : m_impl(std::make_unique<Impl>(std::move(options))) {}

ApiServer::~ApiServer() {
  stop();
  m_impl->http.reset();      // closes every connection, lets the workers go
  m_impl->registry.reset();  // stops and joins every run, removes their journals
  m_impl->explores.reset();  // the same for explores
  if (m_impl->own_journal_dir) {
    std::error_code ignored;
    std::filesystem::remove_all(m_impl->options.journal_dir, ignored);
  }
}

ApiServer::Bound ApiServer::start() {
  auto& impl = *m_impl;
  const auto& o = impl.options;
  auto& core = *impl.core;
  core.limits.max_connections = o.max_connections;
  core.limits.max_body = o.max_body;
  core.rules.listen_host = o.host;
  core.rules.token = o.token;
  core.rules.allow_origins = o.allow_origins;
  core.rules.allow_hosts = o.allow_hosts;
  core.rules.open_paths = {"/healthz"};  // health checks carry no secret
  impl.routes(core.router);
  impl.http = std::make_unique<HttpServer>(impl.core, k_local_workers, k_trigger_workers);
  const auto endpoint = impl.http->start(o.host, o.port, {o.tls_cert, o.tls_key});
  Bound bound;
  bound.address = endpoint.address().to_string();
  bound.port = endpoint.port();
  bound.loopback = endpoint.address().is_loopback();
  return bound;
}

void ApiServer::stop() {
  auto& impl = *m_impl;
  if (impl.stopping.exchange(true)) return;
  impl.registry->cancel_all(2);
  if (impl.http) impl.http->stop();
}

}  // namespace callhook::serve
