#pragma once
// The process exit codes of a run (see README), shared by `callhook run`,
// `callhook merge` and the runs that `callhook serve` reports, and the one
// rule that picks a run's code.

namespace callhook::run {

constexpr int k_exit_ok = 0;
constexpr int k_exit_expectations = 1;  // the run finished, an expectation failed
constexpr int k_exit_bad_input = 2;     // bad scenario, flag, journal
constexpr int k_exit_cannot_run = 3;    // port busy, could not start
constexpr int k_exit_max_duration = 4;  // the run reached its max duration and was stopped

// A run's exit code: 3 when its accounting does not hold (a delivery ended
// twice or never), else the interrupt's code (130, 143, or 4 when its max
// duration stopped it) when it was stopped early, else 0 or 1 by its
// expectations.
constexpr int run_exit_code(bool accounted, bool interrupted, int interrupted_code, bool expectations_met) {
  if (!accounted) return k_exit_cannot_run;
  if (interrupted) return interrupted_code;
  return expectations_met ? k_exit_ok : k_exit_expectations;
}

}  // namespace callhook::run
