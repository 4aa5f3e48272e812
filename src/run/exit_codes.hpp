#pragma once
// The process exit codes of a run (see README), shared by `callhook run` and
// the runs that `callhook serve` reports.

namespace callhook::run {

constexpr int k_exit_ok = 0;
constexpr int k_exit_expectations = 1;  // the run finished, an expectation failed
constexpr int k_exit_bad_input = 2;     // bad scenario, flag, journal
constexpr int k_exit_cannot_run = 3;    // port busy, could not start

}  // namespace callhook::run
