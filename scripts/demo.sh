#!/usr/bin/env bash
# Builds callhook (release preset: the binary only) and runs the demo scenario
# against the built-in sink. Arguments go to `callhook run`. Compiler output
# goes to build/release-build.log; its tail is shown when the build fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
mkdir -p build
log=build/release-build.log
if [[ ! -x build/release/callhook ]]; then
  echo "building callhook (first time: about 2 minutes on 2 cores; log: $log)…" >&2
fi
if ! { cmake --preset release && cmake --build --preset release -j"$(nproc)" --target callhook; } >"$log" 2>&1; then
  echo "demo: the build failed; the end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "callhook is build/release/callhook; to put it on PATH: cmake --install build/release --prefix ~/.local" >&2
exec build/release/callhook run scenarios/demo.json "$@"
