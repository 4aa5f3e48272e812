#!/usr/bin/env bash
# The HTML report's budgets on a million-delivery run: the file's size, the
# time to build it from the journal (callhook report --html, the same path
# run --html takes), and the time headless Chromium takes to draw it.
# Budgets: under 5 MB, built in under 5 s, drawn in under 2 s.
# Usage: bench/html_report.sh   (installs chromium from Debian when missing)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
if ! command -v chromium >/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
scripts/configure.sh release >/dev/null
cmake --build --preset release -j"$(nproc)" --target callhook >/dev/null
callhook=build/release/callhook

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds() { date +%s.%N; }

# load-max: 250,000 Voiceflow calls, a million webhooks, to the built-in sink.
start=$(seconds)
"$callhook" run scenarios/load-max.json --journal "$work/run.jsonl" --report "$work/run.json" --progress never --quiet
run_s=$(echo "$(seconds) - $start" | bc)
deliveries=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["totals"]["planned"])' "$work/run.json")

# Wall and CPU seconds: on a busy machine the wall time says more about the
# other processes than about callhook.
TIMEFORMAT='%R %U %S'
{ time "$callhook" report "$work/run.jsonl" --html "$work/run.html" --quiet; } 2> "$work/build.time"
read -r build_s build_user build_sys < "$work/build.time"
load=$(cut -d' ' -f1 /proc/loadavg)
size=$(stat -c %s "$work/run.html")

start=$(seconds)
timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$work/profile" --dump-dom "file://$work/run.html" > "$work/dom.html" 2>/dev/null
browser_s=$(echo "$(seconds) - $start" | bc)
body=$(grep -o '<body[^>]*>' "$work/dom.html")
render_ms=$(sed -n 's/.*data-render-ms="\([0-9]*\)".*/\1/p' <<< "$body")
rows=$(sed -n 's/.*data-calls="\([0-9]*\)".*/\1/p' <<< "$body")

printf '%-44s %s\n' "run (deliveries, wall s, journal MB)" \
  "$deliveries  ${run_s}s  $(( $(stat -c %s "$work/run.jsonl") / 1000000 )) MB"
printf '%-44s %.2f MB  (budget 5 MB)\n' "HTML report size" "$(echo "$size / 1000000" | bc -l)"
printf '%-44s %.2f s wall, %.2f s CPU  (budget 5 s; load average %s)\n' "HTML built from the journal" \
  "$build_s" "$(echo "$build_user + $build_sys" | bc)" "$load"
printf '%-44s %s ms  (budget 2000 ms; %s timeline rows)\n' "page drawn in headless Chromium" "$render_ms" "$rows"
printf '%-44s %.2f s  (browser start to DOM dump)\n' "chromium --dump-dom, whole" "$browser_s"
