#pragma once
// One run on several threads (run --threads N): each thread is a lane with
// its own engine, event loop and connections, playing the calls whose index
// falls to it exactly as a shard would (scenario::Shard), so every call's
// bytes and order stay what one thread sends. The lanes' measurements merge
// into one report and they share one journal.
#include <cstddef>
#include <cstdint>
#include <functional>

#include "scenario/scenario.hpp"

namespace callhook::run {

// How many lanes a run gets: `requested`, or by default one per core of
// `cores` but one, left to the receiver, when it runs on this machine
// (receiver_here); at most one per request in flight, per keep-alive
// connection and per call alive at once (calls_alive: the calls in all or
// the smallest stream cap; < 0 when unbounded), at least one.
std::size_t lane_count(std::size_t requested, std::size_t cores, bool receiver_here, std::int64_t concurrency,
                       std::size_t connections, std::int64_t calls_alive);

// Whether a stream sends to this machine (a loopback host, the built-in sink
// included): its receiver then competes with the lanes for the cores.
bool receiver_on_this_machine(const scenario::Scenario& scenario);

// Lane `lane` of `lanes` inside the process's shard I/N: the calls whose
// index % (N * lanes) == I + N * lane, so the lanes of every shard together
// play each call once. Shard 0 of the result alone plays the script.
scenario::Shard lane_shard(const scenario::Shard& process, std::size_t lane, std::size_t lanes);

// The most calls alive at once: the calls in all (total_calls; < 0 when
// the scenario does not fix it) or the smallest stream's max_concurrent.
std::int64_t calls_alive(const scenario::Scenario& whole, std::int64_t total_calls);

// The scenario lane `lane` plays: its shard (the script only in shard 0),
// and its share of the requests in flight and of each stream's cap on
// calls alive.
scenario::Scenario lane_scenario(const scenario::Scenario& whole, std::size_t lane, std::size_t lanes);

// `total` split as evenly as whole numbers allow (the first lanes get the
// remainder), at least 1 each.
std::int64_t lane_share(std::int64_t total, std::size_t lane, std::size_t lanes);

// Runs lane(0) on this thread and every other lane on a thread of its own,
// which leaves SIGINT and SIGTERM to this one (their handler only sets the
// stop flag every lane reads). Once lane 0 is done and others still run,
// calls waiting() every 200 ms (for the progress line). Returns when every
// lane has ended; rethrows the first exception a lane threw. When the
// system refuses a lane's thread, lane 0 is not played, on_refused() is
// called (to stop the lanes already started) and, once they have ended,
// run::Unavailable is thrown.
void run_lanes(std::size_t lanes, const std::function<void(std::size_t lane)>& lane,
               const std::function<void()>& waiting, const std::function<void()>& on_refused = {});

}  // namespace callhook::run
