#!/usr/bin/env bash
# The shipped load scenario as users run it: scenarios/load-max.json whole
# (250,000 Voiceflow calls, 1,000,000 webhooks), `callhook run
# scenarios/load-max.json --target URL --speed max`, timed as a process
# (wall clock, start to exit), beside wrk POSTing the same body to the same
# one-worker nginx answering 204, in the same run, round after round.
# Prints a markdown table of each row's range over the rounds: the rate
# (deliveries / process wall time), its ratio to wrk's, and the CPU time
# (user + system) each spends per request.
# Usage: [CALLHOOK=PATH] bench/load_max.sh [rounds, default 3] [wrk seconds, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-3}"
seconds="${2:-10}"

scripts/install-deps.sh --bench
sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
[[ -x /usr/bin/time ]] || $sudo apt-get install -y -qq time >/dev/null  # CPU time per process
callhook="${CALLHOOK:-}"  # CALLHOOK=PATH measures that binary instead of building one
if [[ -z "$callhook" ]]; then
  scripts/configure.sh release >/dev/null
  cmake --build --preset release -j"$(nproc)" --target callhook >/dev/null
  callhook=build/release/callhook
fi

source bench/nginx.sh
bench_receiver "$callhook"   # sets work, nginx_pid, port, tls_port, url, tls_url and body; writes $work/post.lua
# The same scenario cut to 200,000 webhooks (50,000 calls): a shorter run
# must not flatter, its ratio belongs beside the whole run's.
python3 - > "$work/load-max-cut.json" <<'PY'
import json
text = "".join(line for line in open("scenarios/load-max.json") if not line.lstrip().startswith("//"))
scenario = json.loads(text)
scenario["streams"][0]["calls"]["count"] = 50000
print(json.dumps(scenario))
PY

results="$work/results.tsv"   # row, round, rate, cpu us per request, extra
wrk_row() {  # row name, threads, url
  local out
  out=$(/usr/bin/time -f "%U %S" -o "$work/cpu" wrk -t"$2" -c8 -d"${seconds}s" -s "$work/post.lua" "$3")
  python3 - "$1" "$round" "$work/cpu" "$out" >> "$results" <<'PY'
import re, sys
row, rnd, cpu, out = sys.argv[1:]
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
requests = int(re.search(r"(\d+) requests in", out).group(1))
user, system = map(float, open(cpu).read().split()[-2:])
print(f"{row}\t{rnd}\t{rate:.0f}\t{(user + system) * 1e6 / requests:.2f}\t")
PY
}
callhook_row() {  # row name, scenario, target, flags...: the process's wall time
  local row=$1 scenario=$2 target=$3
  shift 3
  /usr/bin/time -f "%e %U %S" -o "$work/cpu" "$callhook" run "$scenario" --target "$target" --speed max \
    --progress never --quiet --json "$work/r.json" "$@" || [[ $? -eq 1 ]]  # 1: an expectation failed; still measured
  python3 - "$row" "$round" "$work/cpu" "$work/r.json" "$work/journal.jsonl" >> "$results" <<'PY'
import json, os, sys
row, rnd, cpu, report, journal = sys.argv[1:]
wall, user, system = map(float, open(cpu).read().split()[-3:])
delivered = json.load(open(report))["totals"]["delivered"]
extra = ""
if os.path.exists(journal):
    extra = f"{os.path.getsize(journal) / delivered:.0f} B/delivery"
    os.remove(journal)
print(f"{row}\t{rnd}\t{delivered / wall:.0f}\t{(user + system) * 1e6 / delivered:.2f}\t{extra}")
PY
}

lm=scenarios/load-max.json
for round in $(seq "$rounds"); do
  echo "round $round of $rounds" >&2
  wrk_row "wrk -t1 -c8" 1 "$url"
  callhook_row "one lane, journal off" "$lm" "$url" --threads 1
  callhook_row "one lane, --journal" "$lm" "$url" --threads 1 --journal "$work/journal.jsonl"
  callhook_row "cut to 200,000 webhooks, one lane" "$work/load-max-cut.json" "$url" --threads 1
  wrk_row "wrk -t1 -c8, https" 1 "$tls_url"
  callhook_row "one lane, https (--insecure)" "$lm" "$tls_url" --threads 1 --insecure
  wrk_row "wrk -t2 -c8" 2 "$url"
  callhook_row "default lanes" "$lm" "$url"
  callhook_row "--threads 2" "$lm" "$url" --threads 2
done

python3 - "$results" "$(nproc)" <<'PY'
import collections, sys
rows = collections.defaultdict(dict)
for line in open(sys.argv[1]):
    row, rnd, rate, cpu, extra = line.rstrip("\n").split("\t")
    rows[row][rnd] = (float(rate), float(cpu), extra)
rounds = sorted(rows["wrk -t1 -c8"])
def span(values, fmt):
    lo, hi = min(values), max(values)
    return fmt.format(lo) if fmt.format(lo) == fmt.format(hi) else fmt.format(lo) + "–" + fmt.format(hi)
def line(row, reference, note=""):
    rates = [rows[row][r][0] for r in rounds]
    ratios = [rows[row][r][0] / rows[reference][r][0] for r in rounds]
    cpus = [rows[row][r][1] for r in rounds]
    extra = rows[row][rounds[0]][2]
    print(f"| {row} | {span(rates, '{:.0f}')}/s | {span(ratios, '{:.2f}')}× {reference} | "
          f"{span(cpus, '{:.1f}')} µs | {'; '.join(x for x in (extra, note) if x)} |")
print(f"load-max whole ({len(rounds)} rounds, {sys.argv[2]} cores), rates as deliveries per second of process wall time\n")
print("| measure | callhook | ratio | CPU per delivery | note |")
print("|---|---|---|---|---|")
line("one lane, journal off", "wrk -t1 -c8")
line("one lane, --journal", "wrk -t1 -c8")
line("one lane, https (--insecure)", "wrk -t1 -c8, https")
line("default lanes", "wrk -t2 -c8")
line("--threads 2", "wrk -t2 -c8")
line("cut to 200,000 webhooks, one lane", "wrk -t1 -c8")
lanes = [rows["--threads 2"][r][0] / rows["one lane, journal off"][r][0] for r in rounds]
print(f"\n--threads 2 / one lane: {span(lanes, '{:.2f}')}×")
print("\n| reference | rate | CPU per request |")
print("|---|---|---|")
for row in ("wrk -t1 -c8", "wrk -t1 -c8, https", "wrk -t2 -c8"):
    print(f"| {row} | {span([rows[row][r][0] for r in rounds], '{:.0f}')}/s | "
          f"{span([rows[row][r][1] for r in rounds], '{:.1f}')} µs |")
PY
