#pragma once
// The runs a server holds: each on its own thread with its own session,
// transport and journal; finished ones kept up to a limit, oldest removed
// first; a limit on runs in flight.
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "run/run_session.hpp"

namespace callhook::serve {

enum class RunState { Running, Finished, Interrupted, Failed };
const char* state_name(RunState state);

// The reports of a run that has ended, rendered once so that readers on
// other threads never touch the session.
struct RunReports {
  std::string json;   // the JSON report
  std::string junit;  // JUnit XML
  std::string text;   // the text summary, no colours
};

class Run {
 public:
  Run(std::string id, std::string journal_path, std::unique_ptr<run::RunSession> session);
  ~Run();  // joins the run's thread
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  const std::string& id() const { return m_id; }
  const std::string& journal_path() const { return m_journal_path; }
  const std::string& created_at() const { return m_created_at; }
  const std::string& scenario_name() const { return m_scenario_name; }
  const std::string& label() const { return m_label; }  // the client's, "" when none

  RunState state() const;
  bool ended() const { return state() != RunState::Running; }
  // Waits until the run ends or `seconds` pass; returns ended().
  bool wait(double seconds) const;
  // Asks the engine to stop (the stop flag SIGINT sets): 1 = let requests in
  // flight finish for the grace period, 2 = at once.
  void cancel(int how = 1);
  bool cancel_requested() const;

  // The run as GET /runs/{id} shows it (without URLs).
  nlohmann::ordered_json describe() const;
  // Set once ended (nullptr before, and for a failed run).
  std::shared_ptr<const RunReports> reports() const;
  // Its deliveries by vendor and outcome and its attempt latency histogram,
  // live while it runs (for GET /metrics).
  report::MetricsSample metrics() const { return m_session->metrics(); }

 private:
  friend class RunRegistry;
  // Runs the session to the end on the run's thread, then calls on_end;
  // throws run::Unavailable when the thread cannot be made.
  void start(std::function<void()> on_end);
  // The run's thread: the session to its end, the reports, the state.
  void play(const std::function<void()>& on_end);

  std::string m_id;
  std::string m_journal_path;
  std::string m_created_at;
  std::string m_scenario_name;
  std::string m_label;
  std::unique_ptr<run::RunSession> m_session;
  mutable std::mutex m_mutex;
  mutable std::condition_variable m_ended;
  RunState m_state = RunState::Running;
  std::optional<int> m_exit_code;
  std::string m_error;
  bool m_max_duration_reached = false;  // its max duration stopped the run (exit 4)
  std::shared_ptr<const RunReports> m_reports;
  std::thread m_thread;
};

class RunRegistry {
 public:
  // keep: finished runs kept (at least 1); max_running: runs in flight.
  RunRegistry(std::size_t keep, std::size_t max_running, std::string journal_dir);
  // Stops every run at once and waits for them.
  ~RunRegistry();
  RunRegistry(const RunRegistry&) = delete;
  RunRegistry& operator=(const RunRegistry&) = delete;

  // A slot for a new run, or nullopt when max_running runs are in flight
  // (or being prepared). Release it with start() or abandon().
  struct Slot {
    std::uint64_t seq = 0;
    std::string id;  // PREFIX-SEQ
    std::string journal_path;
    std::string label;  // set by the caller before start()
  };
  // `prefix` is checked by the caller: letters, digits, '.', '_', '-'.
  std::optional<Slot> reserve(const std::string& prefix = "run");
  // Gives the slot back; its id too, when no later slot was handed out.
  void abandon(const Slot& slot);
  // Starts a prepared session in the slot on its own thread; throws
  // run::Unavailable (the slot released) when the thread cannot be made.
  std::shared_ptr<Run> start(const Slot& slot, std::unique_ptr<run::RunSession> session);

  std::shared_ptr<Run> find(const std::string& id) const;
  // Every run kept, oldest first.
  std::vector<std::shared_ptr<Run>> list() const;
  // Forgets an ended run and deletes its journal; false when unknown or running.
  bool remove(const std::string& id);
  std::size_t running() const;
  std::size_t max_running() const { return m_max_running; }
  // Stops every run at once, waits for them and forgets them with their
  // journals (POST /reset); returns how many were forgotten.
  std::size_t reset();
  // Asks every running run to stop (SIGINT/SIGTERM of the server).
  void cancel_all(int how);

 private:
  void on_run_end();
  // Removes the oldest ended runs beyond `keep`; returns them, to be
  // destroyed (joined) outside the lock.
  std::vector<std::shared_ptr<Run>> evict_locked();

  std::size_t m_keep;
  std::size_t m_max_running;
  std::string m_journal_dir;
  mutable std::mutex m_mutex;
  std::map<std::uint64_t, std::shared_ptr<Run>> m_runs;  // by sequence number: oldest first
  std::uint64_t m_next = 1;
  std::size_t m_reserved = 0;  // slots handed out and not yet started or abandoned
};

}  // namespace callhook::serve
