#pragma once
// The explores a server holds (POST /explores): each on its own thread,
// writing its outputs in a directory of its own; finished ones kept up to a
// limit, oldest removed first (with their files); a limit on explores in
// flight.
#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "explore/session.hpp"
#include "util/json_cursor.hpp"

namespace callhook::serve {

// The body of POST /explores: a scenario (an object, or a file's text) and
// the flags of `callhook explore`; nullopt with every problem otherwise.
std::optional<explore::ExploreRequest> parse_explore_request(std::string_view body, util::Problems& problems);

class ExploreJob {
 public:
  ExploreJob(std::string id, std::string dir, explore::PreparedExplore prepared);
  ~ExploreJob();  // stops the search and joins its thread
  ExploreJob(const ExploreJob&) = delete;
  ExploreJob& operator=(const ExploreJob&) = delete;

  const std::string& id() const { return m_id; }
  const std::string& dir() const { return m_dir; }
  bool ended() const;
  // Waits until it ends or `seconds` pass; returns ended().
  bool wait(double seconds) const;
  // Stops trying new variants; what was found is still written.
  void stop() { m_stop = true; }
  // As GET /explores/{id} shows it: state, progress, exit code, and once
  // ended the explore.json `callhook explore` writes.
  nlohmann::ordered_json describe() const;
  // Failure `number`'s file (".json" or ".jsonl"), "" when there is none.
  std::string failure_path(std::size_t number, const std::string& extension) const;

 private:
  void run();

  std::string m_id;
  std::string m_dir;
  explore::PreparedExplore m_prepared;
  std::atomic<bool> m_stop{false};
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_ended_cv;
  std::string m_state = "running";  // running, finished, failed
  std::string m_error;
  std::size_t m_tried = 0, m_variants = 0, m_failures = 0;
  std::optional<explore::ExploreResult> m_result;
  nlohmann::ordered_json m_explore_json;
  std::thread m_thread;
};

class ExploreJobs {
 public:
  // root: the directory under which each explore gets its own.
  ExploreJobs(std::string root, std::size_t keep, std::size_t max_running);
  ~ExploreJobs();
  // Starts one; nullptr when max_running are in flight.
  std::shared_ptr<ExploreJob> start(explore::PreparedExplore prepared);
  std::shared_ptr<ExploreJob> find(const std::string& id) const;
  std::vector<std::shared_ptr<ExploreJob>> list() const;
  // Stops and forgets every explore with its directory (POST /reset); returns how many.
  std::size_t reset();
  std::size_t max_running() const { return m_max_running; }

 private:
  std::string m_root;
  std::size_t m_keep, m_max_running;
  mutable std::mutex m_mutex;
  std::uint64_t m_next = 1;
  std::vector<std::shared_ptr<ExploreJob>> m_jobs;  // oldest first
};

}  // namespace callhook::serve
