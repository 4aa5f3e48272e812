#!/usr/bin/env bash
# The client libraries against a real `callhook serve`: the Python module's
# unittest suite, the Node module's node --test suite, its TypeScript types
# compiled with tsc --strict (npm installs typescript when missing), and the
# file lists of `npm pack` and the Python package.
# Usage: clients/test.sh PATH/TO/callhook
set -euo pipefail
export CALLHOOK_BIN=${1:?usage: clients/test.sh PATH/TO/callhook}
here=$(cd "$(dirname "$0")" && pwd)
for tool in node npm python3; do
  command -v "$tool" >/dev/null || { echo "clients: FAILED: $tool is not installed" >&2; exit 1; }
done

echo "== python"
python3 -m unittest discover -s "$here/python/tests" -v

echo "== node"
(cd "$here/node" && node --test test/)

echo "== typescript"
tools="$here/node/test/.tools"
if [[ ! -x "$tools/node_modules/.bin/tsc" ]]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error typescript@5 >/dev/null
fi
"$tools/node_modules/.bin/tsc" --noEmit --strict --target es2022 --module nodenext --moduleResolution nodenext\
  "$here/node/test/usage.ts" 2>&1 || {
  echo "clients: FAILED: index.d.ts does not describe the usage in test/usage.ts" >&2; exit 1; }

echo "== packages"
packed=$(cd "$here/node" && npm pack --dry-run --json 2>/dev/null)
for file in index.mjs index.d.ts package.json; do
  grep -q "\"path\": \"$file\"" <<<"$packed" || { echo "clients: FAILED: npm pack leaves out $file" >&2; exit 1; }
done
python3 - "$here/python/pyproject.toml" <<'PY'
import sys, tomllib
project = tomllib.load(open(sys.argv[1], "rb"))
assert project["tool"]["setuptools"]["py-modules"] == ["callhook_client"], project
assert project["project"]["dependencies"] == [], "the Python client has no dependencies"
PY
echo "clients: all passed"
