#!/usr/bin/env bash
# clang-tidy with the repository's .clang-tidy, on compile commands from
# build/tidy/compile_commands.json: the release-tests configuration without its
# precompiled header (GCC's .gch is not a file clang can read), configured
# here and never built.
#   scripts/tidy.sh               the src/ .cpp files the last commit touched
#                                 (for a header, the .cpp file of the same name)
#   scripts/tidy.sh FILE...       the given .cpp files
#   scripts/tidy.sh --all         every .cpp file of src/ (the full pass)
# Fails on any finding. The default mode checks at most TIDY_MAX_FILES files
# (30) so that CI's step stays within a few minutes; --all has no limit.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/tidy
if [[ ! -f "$build/compile_commands.json" ]]; then
  scripts/configure.sh release-tests -B "$build" -DCALLHOOK_PCH=OFF -DCALLHOOK_UNITY=OFF >/dev/null
fi

files=()
if [[ "${1:-}" == "--all" ]]; then
  mapfile -t files < <(git ls-files 'src/*.cpp')
elif (($#)); then
  files=("$@")
else
  if ! git rev-parse -q --verify HEAD~1 >/dev/null; then
    echo "tidy: the last commit has no parent here (a shallow clone?); nothing to compare, run scripts/tidy.sh --all"
    exit 0
  fi
  declare -A seen=()
  while IFS= read -r path; do
    case "$path" in
      *.hpp) path="${path%.hpp}.cpp" ;;
      *.cpp) ;;
      *) continue ;;
    esac
    if [[ -f "$path" && -z "${seen[$path]:-}" ]]; then
      seen[$path]=1
      files+=("$path")
    fi
  done < <(git diff --name-only --diff-filter=d HEAD~1 HEAD -- 'src/*.cpp' 'src/*.hpp')
  max="${TIDY_MAX_FILES:-30}"
  if ((${#files[@]} > max)); then
    echo "tidy: the last commit touched ${#files[@]} .cpp files; checking the first $max (scripts/tidy.sh --all checks all)"
    files=("${files[@]:0:max}")
  fi
fi

if ((${#files[@]} == 0)); then
  echo "tidy: no .cpp files to check"
  exit 0
fi
echo "tidy: checking ${#files[@]} files"
# One clang-tidy per file, as many at once as there are cores; any finding fails.
if ! printf '%s\n' "${files[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet 2> >(grep -v ' warnings\? generated\.$' >&2); then
  echo "tidy: findings above (.clang-tidy lists the checks)" >&2
  exit 1
fi
echo "tidy: ${#files[@]} files clean"
