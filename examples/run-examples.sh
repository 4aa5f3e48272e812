#!/usr/bin/env bash
# Runs the example test suites (examples/pytest, examples/node-test) against
# a real `callhook serve`, with `callhook sink` as the receiver under test.
# Usage: examples/run-examples.sh [CALLHOOK_BINARY]
# Installs python3-pytest (Debian) when missing and possible; without it the
# Python suite runs under unittest.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
callhook=${1:-callhook}
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# Prints the URL of a server once its "listening on URL" line appears.
listening_url() {
  local log=$1
  for _ in $(seq 1 100); do
    if grep -q "listening on " "$log" 2>/dev/null; then
      grep -o "listening on http://[^ ]*" "$log" | head -1 | cut -d' ' -f3
      return 0
    fi
    sleep 0.1
  done
  echo "run-examples: no listening line in $log" >&2
  cat "$log" >&2
  return 1
}

export CALLHOOK_TOKEN=examples-token
"$callhook" sink --listen 127.0.0.1:0 --quiet >"$work/sink.log" 2>&1 &
pids+=($!)
"$callhook" serve --listen 127.0.0.1:0 >"$work/serve.log" 2>&1 &
pids+=($!)
RECEIVER_URL="$(listening_url "$work/sink.log")/webhooks"
CALLHOOK_URL=$(listening_url "$work/serve.log")
export RECEIVER_URL CALLHOOK_URL

python=/usr/bin/python3
if ! "$python" -c "import pytest" 2>/dev/null && [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-pytest >/dev/null 2>&1 ||
    echo "run-examples: python3-pytest could not be installed; using unittest" >&2
fi
echo "== examples/pytest against $CALLHOOK_URL, receiver $RECEIVER_URL"
if "$python" -c "import pytest" 2>/dev/null; then
  "$python" -m pytest -q -p no:cacheprovider "$here/pytest"
else
  "$python" -m unittest discover -v -s "$here/pytest" -p "test_*.py"
fi
echo "== examples/pytest without RECEIVER_URL: the suite's own receiver, under unittest"
env -u RECEIVER_URL "$python" -m unittest discover -v -s "$here/pytest" -p "test_*.py"

echo "== README's test-suite example, saved as test_webhooks.py, under unittest"
mkdir -p "$work/readme"
"$python" - "$here/../README.md" "$work/readme/test_webhooks.py" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
blocks = [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "class WebhookTest" in b]
assert len(blocks) == 1, "the README's test-suite example is not one python block"
open(sys.argv[2], "w", encoding="utf-8").write(blocks[0])
PY
(cd "$work/readme" && PYTHONPATH="$here/../clients/python" "$python" -m unittest -v test_webhooks)

echo "== examples/node-test"
if ! command -v node >/dev/null; then
  echo "run-examples: node is missing (apt-get install nodejs)" >&2
  exit 1
fi
node --test "$here/node-test/"
