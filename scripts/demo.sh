#!/usr/bin/env bash
# Builds callhook (release) and runs the demo scenario against the built-in sink.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release -j"$(nproc)" --target callhook
exec build/release/callhook run scenarios/demo.json "$@"
