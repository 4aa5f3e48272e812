#!/usr/bin/env bash
# Throughput of two callhook binaries on the load-at-max-speed part of
# bench/run.sh (real Voiceflow calls, speed max, concurrency 16, 8
# connections, nginx answering 204), alternated over several rounds so
# both see the same machine; prints each round and the medians.
# Usage: bench/compare.sh BEFORE AFTER [seconds per run, default 5] [rounds, default 5]
set -euo pipefail
before=$(realpath "${1:?usage: compare.sh BEFORE AFTER [seconds] [rounds]}")
after=$(realpath "${2:?usage: compare.sh BEFORE AFTER [seconds] [rounds]}")
seconds="${3:-5}"
rounds="${4:-5}"
cd "$(dirname "$0")/.."
scripts/install-deps.sh --bench

work=$(mktemp -d)
nginx_pid=""
cleanup() {
  if [[ -n "$nginx_pid" ]]; then kill "$nginx_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
source bench/nginx.sh
start_nginx "$work"

# About `seconds` of work at 50,000 webhooks/s (4 per call).
calls=$(( 50000 * seconds / 4 ))
cat > "$work/max.json" <<JSON
{ "name": "bench-max", "seed": 1, "speed": "max", "concurrency": 16,
  "streams": [{ "vendor": "voiceflow",
    "calls": { "count": $calls, "arrival": { "rate_per_s": 500 }, "duration_s": { "uniform": [30, 300] } } }] }
JSON
rate() {
  # One lane, for binaries that have lanes (run --threads); older ones have one.
  local lanes=()
  "$1" help run 2>/dev/null | grep -q -- --threads && lanes=(--threads 1)
  "$1" run "$work/max.json" --target "$url" --connections 8 "${lanes[@]}" --progress never --quiet \
    --report "$work/r.json" || true
  python3 -c "import json; r=json.load(open('$work/r.json')); print(round(r['totals']['delivered'] / r['duration_s']))"
}
: > "$work/before"; : > "$work/after"
for round in $(seq "$rounds"); do
  b=$(rate "$before"); a=$(rate "$after")
  echo "$b" >> "$work/before"; echo "$a" >> "$work/after"
  printf 'round %d: before %8d req/s  after %8d req/s\n' "$round" "$b" "$a"
done
median() { sort -n "$1" | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
mb=$(median "$work/before"); ma=$(median "$work/after")
printf 'median: before %.0f req/s  after %.0f req/s  (after/before %.3f)\n' "$mb" "$ma" "$(python3 -c "print($ma/$mb)")"
