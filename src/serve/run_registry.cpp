#include "serve/run_registry.hpp"

#include <chrono>
#include <cstdio>
#include <system_error>

#include "run/unavailable.hpp"
#include "util/time_format.hpp"

namespace callhook::serve {
namespace {

std::int64_t unix_ms_now() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

const char* state_name(RunState state) {
  switch (state) {
    case RunState::Running: return "running";
    case RunState::Finished: return "finished";
    case RunState::Interrupted: return "interrupted";
    case RunState::Failed: return "failed";
  }
  return "failed";
}

Run::Run(std::string id, std::string journal_path, std::unique_ptr<run::RunSession> session)
    : m_id(std::move(id)),
      m_journal_path(std::move(journal_path)),
      m_created_at(util::iso8601_ms(unix_ms_now())),
      m_session(std::move(session)) {}

Run::~Run() {
  if (!m_thread.joinable()) return;
  // The last reference may go in the run's own thread, when its end evicts
  // it: that thread has nothing left to do with the run.
  if (m_thread.get_id() == std::this_thread::get_id()) {
    m_thread.detach();
    return;
  }
  cancel(2);
  m_thread.join();
}

void Run::start(std::function<void()> on_end) {
  try {
    m_thread = std::thread([this, on_end = std::move(on_end)] { play(on_end); });
  } catch (const std::system_error& e) {
    throw run::Unavailable(std::string("cannot start a thread for the run: ") + e.what());
  }
}

void Run::play(const std::function<void()>& on_end) {
  RunState state = RunState::Failed;
  std::optional<int> exit_code;
  std::string error;
  bool max_duration_reached = false;
  std::shared_ptr<RunReports> reports;
  try {
    m_session->run();
    const run::RunResult result = m_session->finish();
    reports = std::make_shared<RunReports>();
    const run::ReportSet& set = m_session->reports();
    reports->json = set.json_text();
    reports->junit = set.junit();
    reports->text = set.text();
    exit_code = result.exit_code;
    state = result.interrupted ? RunState::Interrupted : RunState::Finished;
    max_duration_reached = m_session->info().max_duration_s > 0;
  } catch (const std::exception& e) {
    error = e.what();
    exit_code = run::k_exit_cannot_run;
    m_session->release();
  }
  {
    std::lock_guard lock(m_mutex);
    m_state = state;
    m_exit_code = exit_code;
    m_error = std::move(error);
    m_max_duration_reached = max_duration_reached;
    m_reports = std::move(reports);
  }
  m_ended.notify_all();
  on_end();
}

RunState Run::state() const {
  std::lock_guard lock(m_mutex);
  return m_state;
}

bool Run::wait(double seconds) const {
  std::unique_lock lock(m_mutex);
  return m_ended.wait_for(lock, std::chrono::duration<double>(seconds),
                          [this] { return m_state != RunState::Running; });
}

void Run::cancel(int how) {
  auto& stop = m_session->stop_flag();
  int current = stop.load();
  while (current < how && !stop.compare_exchange_weak(current, how)) {
  }
}

bool Run::cancel_requested() const { return m_session->stop_flag().load() > 0; }

nlohmann::ordered_json Run::describe() const {
  const run::Progress progress = m_session->snapshot();
  std::unique_lock lock(m_mutex);
  nlohmann::ordered_json out;
  out["id"] = m_id;
  out["state"] = state_name(m_state);
  out["scenario"] = m_scenario_name;
  out["label"] = m_label.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(m_label);
  out["created_at"] = m_created_at;
  out["cancel_requested"] = m_session->stop_flag().load() > 0;
  out["elapsed_s"] = progress.elapsed_s;
  const auto& t = progress.totals;
  out["counters"] = {{"planned", t.planned},
                     {"sent", t.sent},
                     {"delivered", t.delivered},
                     {"failed", t.failed},
                     {"dropped", t.dropped},
                     {"cancelled", t.cancelled},
                     {"retried", t.retried},
                     {"too_slow", t.too_slow},
                     {"in_flight", progress.in_flight},
                     {"active_calls", progress.live.active_calls},
                     {"p99_latency_ms", progress.live.p99_latency_ms}};
  out["exit_code"] = m_exit_code ? nlohmann::ordered_json(*m_exit_code) : nlohmann::ordered_json(nullptr);
  if (m_max_duration_reached) out["max_duration_reached"] = true;
  if (!m_error.empty()) out["error"] = m_error;
  return out;
}

std::shared_ptr<const RunReports> Run::reports() const {
  std::lock_guard lock(m_mutex);
  return m_reports;
}

RunRegistry::RunRegistry(std::size_t keep, std::size_t max_running, std::string journal_dir)
    : m_keep(std::max<std::size_t>(1, keep)), m_max_running(max_running), m_journal_dir(std::move(journal_dir)) {}

RunRegistry::~RunRegistry() {
  cancel_all(2);
  std::map<std::uint64_t, std::shared_ptr<Run>> runs;
  {
    std::lock_guard lock(m_mutex);
    runs.swap(m_runs);
  }
  for (auto& [seq, run] : runs) std::remove(run->journal_path().c_str());
  runs.clear();  // joins each run's thread
}

std::optional<RunRegistry::Slot> RunRegistry::reserve(const std::string& prefix) {
  std::lock_guard lock(m_mutex);
  std::size_t running = m_reserved;
  for (const auto& [seq, run] : m_runs)
    if (!run->ended()) ++running;
  if (running >= m_max_running) return std::nullopt;
  ++m_reserved;
  Slot slot;
  slot.seq = m_next++;
  slot.id = prefix + "-" + std::to_string(slot.seq);
  slot.journal_path = m_journal_dir + "/" + slot.id + ".jsonl";
  return slot;
}

void RunRegistry::abandon(const Slot& slot) {
  std::remove(slot.journal_path.c_str());
  std::lock_guard lock(m_mutex);
  --m_reserved;
  // A refused run does not use up its id: the next run gets it, unless
  // another reservation has come since.
  if (slot.seq == m_next - 1) --m_next;
}

std::shared_ptr<Run> RunRegistry::start(const Slot& slot, std::unique_ptr<run::RunSession> session) {
  auto run = std::make_shared<Run>(slot.id, slot.journal_path, std::move(session));
  run->m_scenario_name = run->m_session->scenario_name();
  run->m_label = slot.label;
  std::vector<std::shared_ptr<Run>> evicted;
  {
    std::lock_guard lock(m_mutex);
    --m_reserved;
    m_runs.emplace(slot.seq, run);
    evicted = evict_locked();
  }
  // The thread holds no reference to the run: only the registry and readers
  // do, so a run is never destroyed (joined) by its own thread.
  try {
    run->start([this] { on_run_end(); });
  } catch (const run::Unavailable&) {
    run->m_session->release();
    std::remove(slot.journal_path.c_str());
    const std::lock_guard lock(m_mutex);
    m_runs.erase(std::stoull(slot.id.substr(4)));
    throw;
  }
  return run;
}

void RunRegistry::on_run_end() {
  std::vector<std::shared_ptr<Run>> evicted;
  {
    std::lock_guard lock(m_mutex);
    evicted = evict_locked();
  }
  // Destroyed here, outside the lock: each joins its (ended) thread.
}

std::vector<std::shared_ptr<Run>> RunRegistry::evict_locked() {
  std::size_t ended = 0;
  for (const auto& [seq, run] : m_runs)
    if (run->ended()) ++ended;
  std::vector<std::shared_ptr<Run>> evicted;
  for (auto it = m_runs.begin(); it != m_runs.end() && ended > m_keep;) {
    if (it->second->ended()) {
      std::remove(it->second->journal_path().c_str());
      evicted.push_back(std::move(it->second));
      it = m_runs.erase(it);
      --ended;
    } else {
      ++it;
    }
  }
  return evicted;
}

std::size_t RunRegistry::reset() {
  std::vector<std::shared_ptr<Run>> runs;
  {
    std::lock_guard lock(m_mutex);
    for (auto& [seq, run] : m_runs) runs.push_back(run);
  }
  for (const auto& run : runs) run->cancel(2);
  for (const auto& run : runs)
    while (!run->wait(1)) {
    }
  std::vector<std::shared_ptr<Run>> forgotten;
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_runs.begin(); it != m_runs.end();) {
      if (it->second->ended()) {
        std::remove(it->second->journal_path().c_str());
        forgotten.push_back(std::move(it->second));
        it = m_runs.erase(it);
      } else {
        ++it;  // started after the reset began: not ours to forget
      }
    }
  }
  return forgotten.size();  // destroyed (joined) here, outside the lock
}

std::shared_ptr<Run> RunRegistry::find(const std::string& id) const {
  std::lock_guard lock(m_mutex);
  for (const auto& [seq, run] : m_runs)
    if (run->id() == id) return run;
  return nullptr;
}

std::vector<std::shared_ptr<Run>> RunRegistry::list() const {
  std::lock_guard lock(m_mutex);
  std::vector<std::shared_ptr<Run>> out;
  for (const auto& [seq, run] : m_runs) out.push_back(run);
  return out;
}

bool RunRegistry::remove(const std::string& id) {
  std::shared_ptr<Run> removed;
  {
    std::lock_guard lock(m_mutex);
    for (auto it = m_runs.begin(); it != m_runs.end(); ++it) {
      if (it->second->id() != id || !it->second->ended()) continue;
      removed = std::move(it->second);
      m_runs.erase(it);
      break;
    }
  }
  if (!removed) return false;
  std::remove(removed->journal_path().c_str());
  return true;
}

std::size_t RunRegistry::running() const {
  std::lock_guard lock(m_mutex);
  std::size_t n = 0;
  for (const auto& [seq, run] : m_runs)
    if (!run->ended()) ++n;
  return n;
}

void RunRegistry::cancel_all(int how) {
  for (const auto& run : list())
    if (!run->ended()) run->cancel(how);
}

}  // namespace callhook::serve
