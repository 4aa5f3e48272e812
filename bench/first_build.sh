#!/usr/bin/env bash
# A first build as a new user meets it: a fresh clone of this checkout's
# HEAD, no compiler cache, the release preset's binary (what scripts/demo.sh
# builds), on every core. Prints the wall and CPU (user + system) seconds.
# Usage: bench/first_build.sh [REVISION, default HEAD]
set -euo pipefail
cd "$(dirname "$0")/.."
revision="${1:-HEAD}"
scripts/install-deps.sh
clone=$(mktemp -d)
trap 'rm -rf "$clone"' EXIT
git clone -q . "$clone"
git -C "$clone" checkout -q "$revision"
export CCACHE_DISABLE=1
TIMEFORMAT='%R %U %S'
times=$( { time (cd "$clone" && scripts/configure.sh release >/dev/null &&
                 cmake --build --preset release -j"$(nproc)" --target callhook >/dev/null); } 2>&1 | tail -1)
read -r wall user sys <<<"$times"
printf '%-44s %6.0f s wall %6.0f s CPU (%s cores)\n' "first build of callhook ($revision)" "$wall" \
  "$(python3 -c "print($user + $sys)")" "$(nproc)"
