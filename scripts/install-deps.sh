#!/usr/bin/env bash
# Installs the Debian 12 packages callhook builds and tests with, when any is missing.
# Usage: scripts/install-deps.sh [--bench] [--fuzz] [--tsan] [--lint]
#   --bench adds nginx, wrk and the openssl tool; --fuzz adds clang and
#   libFuzzer (compiler-rt); --tsan adds GCC's ThreadSanitizer runtime;
#   --lint adds clang-format and clang-tidy.
set -euo pipefail

packages=(cmake ninja-build g++ pkg-config libcpp-httplib-dev nlohmann-json3-dev
          libboost-program-options-dev libboost-dev catch2 libssl-dev
          python3 python3-yaml python3-prometheus-client curl openssl)
# python3-yaml: tests read docs/openapi.yaml and the Kubernetes manifests;
# python3-prometheus-client: a test parses serve's /metrics with its parser.
# curl and openssl: docs/api.md's examples (run by a test) and serve's TLS test.
# node and npm: the API test validates docs/openapi.yaml and the answers'
# bodies with npm packages. A Node.js from elsewhere (with its own npm) is
# kept: Debian's npm package would conflict with it.
command -v npm >/dev/null || packages+=(nodejs npm)
for flag in "$@"; do
  case "$flag" in
    --bench) packages+=(nginx-light wrk openssl) ;;
    --fuzz) packages+=(clang libclang-rt-14-dev) ;;
    --tsan) packages+=(libtsan2) ;;
    --lint) packages+=(clang-format clang-tidy) ;;
    *) echo "install-deps: unknown flag $flag" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

sudo=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "install-deps: installing ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
