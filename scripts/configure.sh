#!/usr/bin/env bash
# Configures a CMake preset (arguments after the preset go to cmake). A build
# directory made by another generator (the presets use Ninja; older checkouts
# made Makefiles) is cleared first, since CMake refuses to switch generators.
# Usage: scripts/configure.sh PRESET [-DVAR=VALUE...] [-B DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
preset="$1"
shift
dir="build/${preset%-tests}"
for ((i = 1; i <= $#; i++)); do
  [[ "${!i}" == "-B" ]] && { j=$((i + 1)); dir="${!j}"; }
done
if [[ -f "$dir/CMakeCache.txt" ]] && ! grep -q '^CMAKE_GENERATOR:INTERNAL=Ninja$' "$dir/CMakeCache.txt"; then
  echo "configure: $dir was made by another generator; reconfiguring it for Ninja" >&2
  rm -rf "$dir/CMakeCache.txt" "$dir/CMakeFiles"
fi
cmake --preset "$preset" "$@"
