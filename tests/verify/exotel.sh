#!/usr/bin/env bash
# Exotel call callbacks against a receiver that checks them with Exotel's
# documents (exotel_receiver.py, tests/data/exotel/callbacks.json): a run of
# scenarios/exotel-basic.json, the extended StatusCallback, and one
# `callhook trigger` of each event, whose RecordingUrl the receiver fetches
# while the trigger waits for its answer.
# Usage: tests/verify/exotel.sh PATH/TO/callhook
set -euo pipefail
callhook=${1:?usage: exotel.sh PATH/TO/callhook}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
receiver_pid=""
cleanup() {
  if [[ -n "$receiver_pid" ]]; then kill "$receiver_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

python3 "$here/exotel_receiver.py" "$root/tests/data/exotel/callbacks.json" "$work/port" "$work/log.jsonl" &
receiver_pid=$!
for _ in $(seq 100); do [[ -s "$work/port" ]] && break; sleep 0.1; done
[[ -s "$work/port" ]] || { echo "exotel: FAILED: the receiver did not start" >&2; exit 1; }
target="http://127.0.0.1:$(cat "$work/port")/exotel"

"$callhook" run "$root/scenarios/exotel-basic.json" --target "$target" --speed max --progress never --quiet
# The extended StatusCallback, E.164 numbers, the Passthru before the Connect applet, a custom field.
cat > "$work/extended.json" <<JSON
{
  "name": "exotel-extended", "seed": 5, "speed": "max",
  "streams": [
    { "vendor": "exotel", "calls": { "count": 10, "direction": "outbound" },
      "vendor_config": { "status_callback_events": "terminal", "numbers": "e164", "custom_field": "order=42" } },
    { "vendor": "exotel", "calls": { "count": 10 }, "vendor_config": { "passthru": "start", "digits_p": 1 } }
  ]
}
JSON
"$callhook" run "$work/extended.json" --target "$target" --progress never --quiet
# trigger: the receiver fetches each RecordingUrl while trigger waits for its answer.
for event in passthru status_callback; do
  "$callhook" trigger exotel "$event" --target "$target" --config '{"dial_status": {"completed": 1}}' > "$work/trigger.txt"
  grep -q "RecordingUrl=http%3A%2F%2F127.0.0.1%3A" "$work/trigger.txt" ||
    { echo "exotel: FAILED: trigger $event sent no served RecordingUrl" >&2; cat "$work/trigger.txt" >&2; exit 1; }
done

kill -TERM "$receiver_pid"
set +e
wait "$receiver_pid"
code=$?
set -e
receiver_pid=""
if [[ $code -ne 0 ]]; then
  echo "exotel: FAILED: requests the documents do not allow:" >&2
  grep -v '"problems": \[\]' "$work/log.jsonl" | head -20 >&2
  exit 1
fi
# Both events came, from the run and from each trigger.
for event in passthru status_callback; do
  grep -q "\"event\": \"$event\"" "$work/log.jsonl" || { echo "exotel: FAILED: no $event request" >&2; exit 1; }
done
