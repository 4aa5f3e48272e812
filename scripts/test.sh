#!/usr/bin/env bash
# Builds callhook with its tests and runs every test. The default preset,
# release-tests, shares build/release with scripts/demo.sh, so after the demo
# only the tests are compiled. Other presets: dev (debug), asan (sanitizers).
set -euo pipefail
cd "$(dirname "$0")/.."
preset="${1:-release-tests}"
scripts/install-deps.sh
scripts/configure.sh "$preset" >/dev/null
cmake --build --preset "$preset" -j"$(nproc)"
ctest --preset "$preset" -j"$(nproc)"
