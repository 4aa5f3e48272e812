#pragma once
// Transparent huge pages for the heap.
//
// A load run keeps tens of thousands of calls alive, each with its planned
// deliveries, spread over a heap of a hundred megabytes or more; every
// delivery sent touches a few of them, so with 4 KiB pages most of those
// touches also miss the TLB. glibc backs its heap with transparent huge
// pages when the tunable glibc.malloc.hugetlb=1 is set, but it reads
// tunables only at process start, from GLIBC_TUNABLES. So the commands that
// send or receive many webhooks (run, replay, explore, serve, sink) start the
// process once more with the tunable added (bench/README.md: about a third
// less CPU per delivery for the shipped load scenario). The restart costs
// about 3 ms, which the commands that end at once are spared.
//
// Nothing happens when GLIBC_TUNABLES already names glibc.malloc.hugetlb
// (GLIBC_TUNABLES=glibc.malloc.hugetlb=0 keeps 4 KiB pages), under a
// sanitizer (it brings its own allocator), in a set-user-id process (glibc
// ignores the variable there), or when the new start fails (the process
// goes on as it is).
#include <cstdint>

namespace callhook::cli {

// False in a sanitized build, where the restart never happens.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool k_restarts_for_huge_pages = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
inline constexpr bool k_restarts_for_huge_pages = false;
#else
inline constexpr bool k_restarts_for_huge_pages = true;
#endif
#else
inline constexpr bool k_restarts_for_huge_pages = true;
#endif

// For the commands above, starts the process again (execv of
// /proc/self/exe with the same argv) with glibc.malloc.hugetlb=1 added to
// GLIBC_TUNABLES; returns only when it did not. The first start's time
// goes along, for first_start_us().
void restart_with_huge_pages(int argc, char** argv);

// When the process first started (util::SystemClock::now_us): before the
// restart, if there was one, else now. The first request's delay is
// reported from there.
std::int64_t first_start_us();

}  // namespace callhook::cli
