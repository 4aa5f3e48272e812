#include "run/lanes.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "run/unavailable.hpp"
#include "util/url.hpp"

namespace callhook::run {

std::size_t lane_count(std::size_t requested, std::size_t cores, bool receiver_here, std::int64_t concurrency,
                       std::size_t connections, std::int64_t calls_alive) {
  // A receiver on the same cores as the lanes: with a lane per core, the
  // lanes take turns with it and send less than one lane fewer does
  // (bench/README.md: "Lanes leave the receiver a core").
  if (receiver_here && cores > 1) --cores;
  std::size_t lanes = requested > 0 ? requested : std::max<std::size_t>(1, cores);
  lanes = std::min(lanes, static_cast<std::size_t>(std::max<std::int64_t>(1, concurrency)));
  lanes = std::min(lanes, std::max<std::size_t>(1, connections));
  if (calls_alive >= 0) lanes = std::min(lanes, static_cast<std::size_t>(std::max<std::int64_t>(1, calls_alive)));
  return lanes;
}

scenario::Shard lane_shard(const scenario::Shard& process, std::size_t lane, std::size_t lanes) {
  const std::uint64_t count = std::max<std::uint64_t>(1, process.count);
  return scenario::Shard{process.index + count * lane, count * lanes};
}

bool receiver_on_this_machine(const scenario::Scenario& scenario) {
  for (const auto& stream : scenario.streams)
    if (const auto url = util::parse_url(stream.target); url && util::is_loopback_host(url->host)) return true;
  return false;
}

std::int64_t calls_alive(const scenario::Scenario& whole, std::int64_t total_calls) {
  std::int64_t alive = total_calls;
  for (const auto& stream : whole.streams)
    if (stream.calls.max_concurrent && (alive < 0 || *stream.calls.max_concurrent < alive))
      alive = *stream.calls.max_concurrent;
  return alive;
}

scenario::Scenario lane_scenario(const scenario::Scenario& whole, std::size_t lane, std::size_t lanes) {
  scenario::Scenario part = whole;
  part.shard = lane_shard(whole.shard, lane, lanes);
  if (part.shard.index != 0) part.script.clear();
  part.concurrency = lane_share(whole.concurrency, lane, lanes);
  for (auto& stream : part.streams)
    if (stream.calls.max_concurrent)
      stream.calls.max_concurrent = lane_share(*stream.calls.max_concurrent, lane, lanes);
  return part;
}

std::int64_t lane_share(std::int64_t total, std::size_t lane, std::size_t lanes) {
  const auto n = static_cast<std::int64_t>(lanes);
  const std::int64_t share = total / n + (static_cast<std::int64_t>(lane) < total % n ? 1 : 0);
  return std::max<std::int64_t>(1, share);
}

void run_lanes(std::size_t lanes, const std::function<void(std::size_t lane)>& lane,
               const std::function<void()>& waiting, const std::function<void()>& on_refused) {
  std::vector<std::exception_ptr> failures(lanes);
  std::mutex mutex;
  std::condition_variable lane_ended;
  std::size_t running = lanes - 1;  // lanes after the first, under mutex
  std::vector<std::thread> threads;
  // A lane whose thread the system refuses fails the run (Unavailable): the
  // first lane is not played and on_refused stops the lanes already started.
  std::exception_ptr refused;
  for (std::size_t i = 1; i < lanes && !refused; ++i) {
    try {
      threads.emplace_back([&, i] {
        sigset_t signals;
        sigemptyset(&signals);
        sigaddset(&signals, SIGINT);
        sigaddset(&signals, SIGTERM);
        pthread_sigmask(SIG_BLOCK, &signals, nullptr);
        try {
          lane(i);
        } catch (...) {
          failures[i] = std::current_exception();
        }
        const std::lock_guard lock(mutex);
        --running;
        lane_ended.notify_one();
      });
    } catch (const std::system_error& e) {
      refused = std::make_exception_ptr(Unavailable(std::string("cannot start an engine thread: ") + e.what()));
      const std::lock_guard lock(mutex);
      running -= lanes - i;  // this lane and the ones after it never start
    }
  }
  if (refused && on_refused) on_refused();
  try {
    if (refused) std::rethrow_exception(refused);
    lane(0);
  } catch (...) {
    failures[0] = std::current_exception();
  }
  for (std::unique_lock lock(mutex); running > 0;) {
    if (lane_ended.wait_for(lock, std::chrono::milliseconds(200)) == std::cv_status::timeout) {
      lock.unlock();
      waiting();
      lock.lock();
    }
  }
  for (std::thread& thread : threads) thread.join();
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
}

}  // namespace callhook::run
