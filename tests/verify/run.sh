#!/usr/bin/env bash
# Signatures checked by the official verifiers: runs callhook at max speed
# (over 10 virtual minutes, with retries, secret rotation and signature
# faults) against verifier.mjs, once per scheme, and checks every attempt
# with check.mjs; then replays a journal signed on the (long past) virtual
# clock with `replay --resign` and checks it the same way; checks a signed
# `callhook trigger` of each Voiceflow event the same way (a real svix-id),
# the headers `callhook sample --headers --secret` prints with the Svix
# library, and `callhook serve`'s POST /trigger signed with either scheme.
# Installs the npm packages when they are missing. Fails,
# never skips, when node or npm is absent.
# Usage: tests/verify/run.sh PATH/TO/callhook
set -euo pipefail
callhook=${1:?usage: run.sh PATH/TO/callhook}
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm; do
  command -v "$tool" >/dev/null || { echo "verify: FAILED: $tool is not installed (Debian: apt-get install nodejs npm)" >&2; exit 1; }
done
if [[ ! -d "$here/node_modules/standardwebhooks" || ! -d "$here/node_modules/svix" ]]; then
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error) || { echo "verify: FAILED: npm install" >&2; exit 1; }
fi

work=$(mktemp -d)
verifier_pid=""
serve_pid=""
cleanup() {
  if [[ -n "$verifier_pid" ]]; then kill "$verifier_pid" 2>/dev/null || true; fi
  if [[ -n "$serve_pid" ]]; then kill "$serve_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

secrets=("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")
verifier_secrets=("${secrets[@]}")  # the secrets every delivery must verify with

start_verifier() {  # [--accept-all]: starts verifier.mjs, sets verifier_pid and port
  rm -f "$work/port" "$work/log.jsonl"
  node "$here/verifier.mjs" "$@" "$work/port" "$work/log.jsonl" "${verifier_secrets[@]}" &
  verifier_pid=$!
  for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
  [[ -s "$work/port" ]] || { echo "verify: FAILED: the verifier did not start" >&2; exit 1; }
  port=$(cat "$work/port")
}
stop_verifier() { kill "$verifier_pid"; wait "$verifier_pid" 2>/dev/null || true; verifier_pid=""; }

run_scenario() {  # scheme, timestamp clock: runs callhook against the verifier, journal in $work
  # 30 calls a minute apart: about half an hour of virtual time, played at max speed.
  cat > "$work/scenario.json" <<JSON
{
  "name": "verify-$1", "seed": 11, "speed": "max",
  "streams": [{
    "vendor": "voiceflow",
    "calls": { "count": 30, "arrival": { "rate_per_s": 0.0166 }, "duration_s": { "uniform": [30, 300] } },
    "delivery": {
      "signing": { "scheme": "$1", "secrets": ["${secrets[0]}", "${secrets[1]}"], "timestamp": "$2" },
      "retry": { "max_attempts": 3, "backoff_ms": [60000, 120000] }
    },
    "faults": { "bad_signature": 0.1, "stale_timestamp": { "p": 0.1, "by_ms": 600000 } }
  }]
}
JSON
  set +e
  "$callhook" run "$work/scenario.json" --target "http://127.0.0.1:$port/hooks" \
    --journal "$work/journal.jsonl" --progress never --quiet
  local code=$?
  set -e
  # Rejected deliveries fail (400 is not retried), so exit 1 (an expectation) is fine; 2 or 3 is not.
  [[ $code -le 1 ]] || { echo "verify: FAILED: callhook exited $code" >&2; exit 1; }
}

# Signed at send time on the wall clock: every delivery verifies, except
# exactly those the journal marks bad_signature or stale_timestamp.
for scheme in standard svix; do
  start_verifier
  run_scenario "$scheme" wall
  stop_verifier
  echo -n "verify $scheme: "
  node "$here/check.mjs" "$work/journal.jsonl" "$work/log.jsonl"
done

# A journal signed with the 2025 virtual epoch (long past every tolerance),
# replayed with --resign: signed again at send time, it verifies the same way.
for scheme in standard svix; do
  start_verifier --accept-all
  run_scenario "$scheme" virtual
  stop_verifier
  start_verifier
  "$callhook" replay "$work/journal.jsonl" --target "http://127.0.0.1:$port" --speed max \
    --resign "${secrets[0]}" --resign "${secrets[1]}" > /dev/null
  stop_verifier
  echo -n "verify replay --resign $scheme: "
  node "$here/check.mjs" "$work/journal.jsonl" "$work/log.jsonl"
done

# Each Voiceflow event sent by `callhook trigger` with one secret: signed as
# a run signs it, with a real svix-id, so the official verifier accepts it.
verifier_secrets=("${secrets[0]}")
start_verifier
events=(runtime.call.start runtime.call.end runtime.session.start runtime.session.end)
for event in "${events[@]}"; do
  "$callhook" trigger voiceflow "$event" --target "http://127.0.0.1:$port/hooks" --secret "${secrets[0]}" \
    > "$work/trigger.txt" || true  # the verifier may answer a first attempt 503: its log is the verdict
done
stop_verifier
echo -n "verify trigger svix: "
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const want = Number(process.argv[2]);
const ids = new Set(lines.map((l) => l.id));
if (lines.length !== want || lines.some((l) => !l.id || !l.verified) || ids.size !== want) {
  console.error("expected " + want + " verified requests with distinct ids, got " + JSON.stringify(lines));
  process.exit(1);
}
console.log(want + " requests verified, ids " + [...ids].join(" "));' "$work/log.jsonl" "${#events[@]}"

# `callhook sample --headers --secret`: the printed headers and body verify
# with the official Svix library as they stand (a real svix-id, a fresh timestamp).
for event in "${events[@]}"; do
  "$callhook" sample voiceflow "$event" --headers --secret "${secrets[0]}" > "$work/sample.txt"
  echo -n "verify sample --headers $event: "
  (cd "$here" && node --input-type=module -e '
import { readFileSync } from "node:fs";
import { Webhook } from "svix";
const text = readFileSync(process.argv[1], "utf8");
const [head, ...rest] = text.split("\n\n");
const headers = {};
for (const line of head.split("\n").slice(1)) {
  const at = line.indexOf(": ");
  headers[line.slice(0, at).toLowerCase()] = line.slice(at + 2);
}
const body = rest.join("\n\n").replace(/\n$/, "");
if (!headers["svix-id"]) { console.error("no svix-id in " + head); process.exit(1); }
new Webhook(process.argv[2]).verify(body, headers);
console.log("verified, id " + headers["svix-id"]);' "$work/sample.txt" "${secrets[0]}")
done

# POST /trigger of `callhook serve`, once per scheme: the Svix and the
# Standard Webhooks verifier accept what it sends (a real svix-id or webhook-id).
"$callhook" serve --listen 127.0.0.1:0 > "$work/serve.txt" 2>&1 &
serve_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/serve.txt" 2>/dev/null && break; sleep 0.1; done
api=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$work/serve.txt")
[[ -n "$api" ]] || { echo "verify: FAILED: callhook serve did not start" >&2; exit 1; }
start_verifier
for scheme in svix standard; do
  for event in "${events[@]}"; do
    curl -sf -X POST "$api/trigger" -H "Content-Type: application/json" -d "{\"vendor\": \"voiceflow\",
      \"event\": \"$event\", \"target\": \"http://127.0.0.1:$port/hooks\",
      \"delivery\": {\"signing\": {\"scheme\": \"$scheme\", \"secret\": \"${secrets[0]}\"}}}" > /dev/null ||
      { echo "verify: FAILED: POST /trigger $scheme $event" >&2; exit 1; }
  done
done
stop_verifier
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=""
echo -n "verify POST /trigger: "
node -e '
const lines = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\n").map((l) => JSON.parse(l));
const want = Number(process.argv[2]);
const bad = lines.filter((l) => !l.id || !l.verified);
const schemes = new Set(lines.map((l) => l.scheme));
if (lines.length !== want || bad.length > 0 || schemes.size !== 2) {
  console.error("expected " + want + " verified requests of both schemes, got " + JSON.stringify(lines));
  process.exit(1);
}
console.log(want + " requests verified (svix and standard)");' "$work/log.jsonl" "$((2 * ${#events[@]}))"
