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
  echo "building callhook (first time: 1 to 3 minutes on 2 cores; log: $log)…" >&2
fi
build() { scripts/configure.sh release && cmake --build --preset release -j"$(nproc)" --target callhook; }
# Ninja's "[done/total]" lines become a percentage on stderr (one updated line
# on a terminal, a line per tenth elsewhere); everything goes to the log.
show_progress() {
  local line percent shown=-1
  while IFS= read -r line; do
    printf '%s\n' "$line" >>"$log"
    [[ $line =~ ^\[([0-9]+)/([0-9]+)\] && ${BASH_REMATCH[2]} -gt 1 ]] || continue
    percent=$((BASH_REMATCH[1] * 100 / BASH_REMATCH[2]))
    if [[ -t 2 ]]; then
      printf '\rbuilding callhook: %3d%%' "$percent" >&2
    elif ((percent / 10 > shown / 10)); then
      echo "building callhook: $percent%" >&2
    fi
    shown=$percent
  done
  if [[ -t 2 && $shown -ge 0 ]]; then echo >&2; fi
}
: >"$log"
if ! build 2>&1 | show_progress; then
  echo "demo: the build failed; the end of $log:" >&2
  tail -n 30 "$log" >&2
  exit 1
fi
echo "callhook is build/release/callhook; to put it on PATH: cmake --install build/release --prefix ~/.local" >&2
exec build/release/callhook run scenarios/demo.json "$@"
