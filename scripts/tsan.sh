#!/usr/bin/env bash
# Builds callhook, the sink's unit tests and the integration tests under
# ThreadSanitizer (preset tsan) and runs them: the integration tests start the
# real (instrumented) binary, so races in the engine, the transport and the
# sink end those runs with TSan's report and exit code 66.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --tsan
scripts/configure.sh tsan >/dev/null
cmake --build --preset tsan -j"$(nproc)" --target callhook unit_sink integration_tests

export TSAN_OPTIONS="${TSAN_OPTIONS:-second_deadlock_stack=1 history_size=4 suppressions=$PWD/tests/tsan.supp}"
# TSan of GCC 12 / LLVM 14 expects the address layout of a kernel with at most
# 28 bits of mmap randomisation; with more it stops at once with "FATAL:
# ThreadSanitizer: unexpected memory mapping". Then run without address
# randomisation (setarch -R; inherited by the processes the tests start).
runner=()
if build/tsan/callhook vendors 2>&1 | grep -q "unexpected memory mapping"; then
  echo "tsan: this kernel's address randomisation is too wide for TSan; running under setarch -R" >&2
  runner=(setarch "$(uname -m)" -R)
fi
"${runner[@]}" ctest --preset tsan -R '^(unit_sink|integration)$' -j"$(nproc)"
