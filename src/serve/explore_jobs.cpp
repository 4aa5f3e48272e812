#include "serve/explore_jobs.hpp"

#include <chrono>
#include <filesystem>

#include "explore/output.hpp"
#include "serve/run_request.hpp"
#include "util/url.hpp"

namespace callhook::serve {

std::optional<explore::ExploreRequest> parse_explore_request(std::string_view body, util::Problems& problems) {
  const auto doc = parse_json_body(body, problems);
  if (!doc) return std::nullopt;
  const util::Cursor root(&*doc, "", problems);
  root.keys({"scenario", "target", "seed", "budget", "time_s", "drops", "reset", "insecure"});
  explore::ExploreRequest request;
  request.scenario_path = "scenario";  // names it in messages
  const auto scenario = root["scenario"];
  scenario.require();
  if (scenario.present()) {
    if (scenario.node()->is_object())
      request.scenario_text = scenario.node()->dump();
    else if (const auto text = scenario.string(false))
      request.scenario_text = *text;
  }
  for (const auto& [key, field] : {std::pair{"target", &request.target}, {"reset", &request.reset_url}}) {
    if (const auto url = root[key].string(false)) {
      if (util::parse_url(*url))
        *field = *url;
      else
        root[key].fail("expected an http:// or https:// URL, got " + util::describe(*root[key].node()));
    }
  }
  if (const auto seed = root["seed"].unsigned_integer()) request.seed = *seed;
  request.options.budget = static_cast<std::size_t>(root["budget"].integer_or(5000, 1, 10000000));
  if (const auto time = root["time_s"].positive_number()) request.options.time_s = *time;
  request.options.drops = root["drops"].boolean().value_or(false);
  request.insecure = root["insecure"].boolean().value_or(false);
  if (!problems.empty()) return std::nullopt;
  return request;
}

ExploreJob::ExploreJob(std::string id, std::string dir, explore::PreparedExplore prepared)
    : m_id(std::move(id)), m_dir(std::move(dir)), m_prepared(std::move(prepared)) {
  m_prepared.options.stop = &m_stop;
  m_thread = std::thread([this] { run(); });
}

ExploreJob::~ExploreJob() {
  m_stop = true;
  if (m_thread.joinable()) m_thread.join();
  std::error_code ignored;
  std::filesystem::remove_all(m_dir, ignored);
}

void ExploreJob::run() {
  try {
    auto result = explore::run_explore(m_prepared, m_dir, [this](std::size_t tried, std::size_t total, std::size_t f) {
      const std::lock_guard lock(m_mutex);
      m_tried = tried;
      m_variants = total;
      m_failures = f;
    });
    auto json = explore::explore_json(m_dir, m_prepared.setup, m_prepared.options, result);
    const std::lock_guard lock(m_mutex);
    m_tried = result.tried;
    m_variants = result.variants;
    m_failures = result.failures.size();
    m_explore_json = std::move(json);
    m_result = std::move(result);
    m_state = "finished";
  } catch (const std::exception& e) {
    const std::lock_guard lock(m_mutex);
    m_state = "failed";
    m_error = e.what();
  }
  m_ended_cv.notify_all();
}

bool ExploreJob::ended() const {
  const std::lock_guard lock(m_mutex);
  return m_state != "running";
}

bool ExploreJob::wait(double seconds) const {
  std::unique_lock lock(m_mutex);
  return m_ended_cv.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return m_state != "running"; });
}

nlohmann::ordered_json ExploreJob::describe() const {
  const std::lock_guard lock(m_mutex);
  nlohmann::ordered_json out;
  out["id"] = m_id;
  out["state"] = m_state;
  out["scenario"] = m_prepared.setup.scenario.name;
  out["target"] = m_prepared.setup.target;
  out["progress"] = {{"variants_tried", m_tried}, {"variants", m_variants}, {"failures", m_failures}};
  if (!m_error.empty()) out["error"] = m_error;
  const std::string self = "/explores/" + m_id;
  nlohmann::ordered_json urls = {{"self", self}};
  if (m_result) {
    out["exit_code"] = m_result->failures.empty() ? 0 : 1;
    out["result"] = m_explore_json;
    nlohmann::ordered_json failures = nlohmann::ordered_json::array();
    for (const auto& f : m_result->failures) {
      const std::string url = self + "/failures/" + std::to_string(f.number);
      failures.push_back({{"scenario", url}, {"journal", url + "/journal"}});
    }
    urls["failures"] = std::move(failures);
  }
  out["urls"] = std::move(urls);
  return out;
}

std::string ExploreJob::failure_path(std::size_t number, const std::string& extension) const {
  const std::lock_guard lock(m_mutex);
  if (!m_result || number == 0 || number > m_result->failures.size()) return "";
  return explore::failure_stem(m_dir, m_result->events, m_result->failures[number - 1]) + extension;
}

ExploreJobs::ExploreJobs(std::string root, std::size_t keep, std::size_t max_running)
    : m_root(std::move(root)), m_keep(keep), m_max_running(max_running) {}

ExploreJobs::~ExploreJobs() {
  std::vector<std::shared_ptr<ExploreJob>> jobs;
  {
    const std::lock_guard lock(m_mutex);
    jobs.swap(m_jobs);
  }
  for (const auto& job : jobs) job->stop();
}

std::shared_ptr<ExploreJob> ExploreJobs::start(explore::PreparedExplore prepared) {
  const std::lock_guard lock(m_mutex);
  std::size_t running = 0;
  for (const auto& job : m_jobs) running += job->ended() ? 0 : 1;
  if (running >= m_max_running) return nullptr;
  // The oldest ended explores go first, with their files.
  std::size_t ended = m_jobs.size() - running;
  for (auto it = m_jobs.begin(); it != m_jobs.end() && ended >= m_keep;) {
    if (!(*it)->ended()) {
      ++it;
      continue;
    }
    it = m_jobs.erase(it);
    --ended;
  }
  const std::string id = "explore-" + std::to_string(m_next++);
  auto job = std::make_shared<ExploreJob>(id, m_root + "/" + id, std::move(prepared));
  m_jobs.push_back(job);
  return job;
}

std::shared_ptr<ExploreJob> ExploreJobs::find(const std::string& id) const {
  const std::lock_guard lock(m_mutex);
  for (const auto& job : m_jobs)
    if (job->id() == id) return job;
  return nullptr;
}

std::size_t ExploreJobs::reset() {
  std::vector<std::shared_ptr<ExploreJob>> jobs;
  {
    const std::lock_guard lock(m_mutex);
    jobs.swap(m_jobs);
  }
  for (const auto& job : jobs) job->stop();
  return jobs.size();  // destroyed here, outside the lock: each joins its thread and removes its directory
}

std::vector<std::shared_ptr<ExploreJob>> ExploreJobs::list() const {
  const std::lock_guard lock(m_mutex);
  return m_jobs;
}

}  // namespace callhook::serve
