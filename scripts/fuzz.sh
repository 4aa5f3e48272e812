#!/usr/bin/env bash
# Builds the libFuzzer targets (preset fuzz: clang, ASan + UBSan) and runs
# each for a bounded time, starting from its seed corpus in tests/fuzz/<name>/.
# Fails when any target finds a crash; the crashing input is left in
# build/fuzz/artifacts/ (make it a regression test).
#
# Usage: scripts/fuzz.sh [TARGET...]          (default: every target)
#   FUZZ_SECONDS=60   time per target
#   FUZZ_JOBS=1       targets run at once
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SECONDS:-60}"
jobs="${FUZZ_JOBS:-1}"

scripts/install-deps.sh --fuzz
scripts/configure.sh fuzz >/dev/null

if [[ $# -gt 0 ]]; then
  targets=("$@")
else
  targets=()
  for dir in tests/fuzz/*/; do targets+=("$(basename "$dir")"); done
fi
cmake --build --preset fuzz -j"$(nproc)" --target "${targets[@]/#/fuzz_}"

out=build/fuzz/runs
rm -rf "$out"
mkdir -p "$out" build/fuzz/artifacts

run_one() {
  local name="$1" work="$out/$1"
  mkdir -p "$work/corpus"
  # New inputs go to a scratch corpus; the seeds in the tree stay as they are.
  "build/fuzz/tests/fuzz/fuzz_$name" "$work/corpus" "tests/fuzz/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
    -artifact_prefix="build/fuzz/artifacts/$name-" >"$work/log" 2>&1
}

failed=()
passed=0
pids=()
names=()
finish() {
  local name="$1" pid="$2"
  if wait "$pid"; then
    passed=$((passed + 1))
    local runs
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/$name/log" | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $name: ok, $runs runs in ${seconds}s"
  else
    failed+=("$name")
    echo "fuzz: $name: FAILED (log: $out/$name/log)"
    grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$out/$name/log" | head -20 || true
  fi
}
for name in "${targets[@]}"; do
  run_one "$name" &
  pids+=($!)
  names+=("$name")
  if [[ ${#pids[@]} -ge $jobs ]]; then
    finish "${names[0]}" "${pids[0]}"
    pids=("${pids[@]:1}")
    names=("${names[@]:1}")
  fi
done
for i in "${!pids[@]}"; do finish "${names[$i]}" "${pids[$i]}"; done

echo "fuzz: ${passed} passed, ${#failed[@]} failed"
[[ ${#failed[@]} -eq 0 ]]
