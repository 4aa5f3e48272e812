#!/usr/bin/env bash
# The HTML report of a real run, opened in headless Chromium: the page draws
# every section without console errors, and the counts it writes into the
# DOM match the run (calls shown, calls with anomalies, charts). One
# screenshot per section is left in the artifact directory. A journal cut by
# an interrupt still renders, marked interrupted.
# Usage: tests/html/html_report_test.sh CALLHOOK_BINARY ARTIFACT_DIR
set -euo pipefail
callhook="$1"
artifacts="$2"
source_dir="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$source_dir"

# Debian's chromium, installed when missing.
if ! command -v chromium >/dev/null; then
  sudo=""
  [[ $(id -u) -ne 0 ]] && sudo=sudo
  echo "html_report_test: installing chromium" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v python3 >/dev/null || { echo "html_report_test: needs python3" >&2; exit 1; }

rm -rf "$artifacts"
mkdir -p "$artifacts"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

# Headless Chromium with nothing of its own on the network; a fresh profile each time.
browse() {
  local profile
  profile=$(mktemp -d -p "$work")
  timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync \
    --user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# A value of an attribute of the <body> (or of an element with an id) in a DOM dump.
attribute() {  # FILE ELEMENT_PATTERN ATTRIBUTE
  python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
tag = re.search(sys.argv[2], text)
if not tag:
    sys.exit("no element matching " + sys.argv[2])
value = re.search(r'\b' + sys.argv[3] + r'="([^"]*)"', tag.group(0))
print(value.group(1) if value else "")
PY
}

# 1. A faults run (duplicates, reorders, drops, a retried 503) against callhook's sink.
sink_pid=""
trap 'if [[ -n "$sink_pid" ]]; then kill "$sink_pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
"$callhook" sink --listen 127.0.0.1:0 --quiet --respond 'event=runtime.call.end status=503,200' > "$work/sink.out" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do grep -q listening "$work/sink.out" && break; sleep 0.05; done
sink_url=$(grep -o 'http://[^ ]*' "$work/sink.out" | head -n 1)
[[ -n "$sink_url" ]] || fail "the sink did not start: $(cat "$work/sink.out")"
"$callhook" run tests/data/html/timeline-faults.json --target "$sink_url/webhooks" --journal "$work/run.jsonl" \
  --report "$work/run.json" --html "$work/run.html" --progress never > "$work/summary.txt"
kill "$sink_pid"
sink_pid=""
cp "$work/run.html" "$artifacts/faults-run.html"

# The expected numbers, counted from the journal independently of the page.
read -r calls anomalous < <(python3 - "$work/run.jsonl" <<'PY'
import json, sys
calls, anomalous, latest = {}, set(), {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    kind, call = r["kind"], r.get("call")
    if kind == "attempt":
        calls.setdefault(call, 1)
        if r["attempt"] > 1 or r["copy"] > 0 or r["faults"] or r["verdict"] != "delivered":
            anomalous.add(call)
    elif kind == "final":
        calls.setdefault(call, 1)
        if r["result"] != "delivered" or r["faults"]:
            anomalous.add(call)
        if r["result"] == "delivered":
            # Reorder: delivered after a delivery of its session with a later
            # place in the call's lifecycle ("seq", src/vendors/lifecycle.hpp).
            session = r["delivery"].rsplit(".", 1)[0]
            if r["seq"] < latest.get(session, -1):
                anomalous.add(call)
            latest[session] = max(latest.get(session, -1), r["seq"])
    elif kind == "finding":
        anomalous.add(call)
print(len(calls), len(anomalous))
PY
)
[[ "$calls" -gt 0 && "$anomalous" -gt 0 ]] || fail "the faults run made $calls calls, $anomalous with anomalies"

# A window wider than the charts' old fixed 900 units: they must use it.
browse --window-size=1400,1000 --dump-dom "file://$work/run.html" > "$work/dom.html" 2> "$work/console.log"
[[ "$(attribute "$work/dom.html" '<body[^>]*>' data-ready)" == 1 ]] || fail "the page did not finish drawing"
shown=$(attribute "$work/dom.html" '<body[^>]*>' data-calls)
shown_anomalous=$(attribute "$work/dom.html" '<body[^>]*>' data-anomalies)
charts=$(attribute "$work/dom.html" '<body[^>]*>' data-charts)
page_errors=$(attribute "$work/dom.html" '<p id="page-errors"[^>]*>' data-errors)
[[ "$shown" == "$calls" ]] || fail "timeline rows: $shown, expected $calls calls"
[[ "$shown_anomalous" == "$anomalous" ]] || fail "rows with anomalies: $shown_anomalous, expected $anomalous"
# throughput, latency per second, latency histogram, errors over time, timeline
[[ "$charts" == 5 ]] || fail "charts drawn: $charts, expected 5"
[[ "$page_errors" == 0 ]] || fail "the page reported errors: $(grep -o 'page error[^<]*' "$work/dom.html")"
if grep -E 'CONSOLE|Uncaught' "$work/console.log" | grep -v 'CONSOLE.*"\[' >/dev/null; then
  fail "console errors: $(grep -E 'CONSOLE|Uncaught' "$work/console.log")"
fi
marks=$(grep -o 'class="mark' "$work/dom.html" | wc -l)
[[ "$marks" -gt "$calls" ]] || fail "only $marks timeline marks for $calls calls"
grep -q 'data-kind="dropped"' "$work/dom.html" || fail "no dropped delivery marked"
grep -q 'class="dup"' "$work/dom.html" || fail "no duplicate marked"
grep -q 'class="reorder"' "$work/dom.html" || fail "no reorder marked"
grep -q 'data-kind="retry"' "$work/dom.html" || fail "no retried attempt marked"
[[ "$anomalous" -lt "$calls" ]] || fail "every call has an anomaly: the test cannot tell them apart"
echo "faults run: $calls calls, $anomalous with anomalies, $charts charts, $marks marks"

# Event names readable without hovering: a legend of one code per event, and
# a code over every delivery of the timeline (each delivery has one final record).
python3 - "$work/dom.html" "$work/run.jsonl" <<'PY' || fail "timeline event labels or legend"
import json, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
finals = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8") if '"kind":"final"' in l]
events = sorted({f["event"] for f in finals})
legend = re.search(r'<p id="event-legend">(.*?)</p>', dom, re.S)
assert legend, "no event legend"
pairs = re.findall(r'<span data-code="([^"]+)" data-event="([^"]+)">', legend.group(1))
assert sorted(e for _, e in pairs) == events, (pairs, events)
code = dict((e, c) for c, e in pairs)
labels = re.findall(r'<text[^>]*class="evlabel" data-event="([^"]+)"[^>]*>([^<]+)<', dom)
assert len(labels) == len(finals), (len(labels), len(finals))
assert all(code[e] == c for e, c in labels), "a label's code is not its event's"
PY

# Count axes have whole ticks; charts use the page's width (not a fixed 900).
whole_ticks() {  # DOM_FILE
  python3 - "$1" <<'PY'
import re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
charts = re.findall(r'<div class="chart" data-chart="([^"]+)" data-whole="1">(.*?)</svg>', dom, re.S)
assert charts, "no count charts"
for title, body in charts:
    ticks = re.findall(r'class="tick">([^<]+)<', body)
    assert len(ticks) >= 2, (title, ticks)
    for tick in ticks:
        assert re.fullmatch(r"[0-9,]+", tick), (title, tick)
    width = re.search(r'viewBox="0 0 ([0-9]+) ', body)
    assert width and int(width.group(1)) > 900, (title, width and width.group(0))
PY
}
whole_ticks "$work/dom.html" || fail "a count axis has a tick that is not a whole number, or a chart is narrow"

# One screenshot per section.
for section in run throughput latency lateness errors timeline findings; do
  browse --window-size=1280,1000 --screenshot="$artifacts/section-$section.png" \
    "file://$work/run.html#only=$section" > /dev/null 2>&1
  [[ -s "$artifacts/section-$section.png" ]] || fail "no screenshot of $section"
done

# 2. The same report rebuilt from the journal has the same numbers.
"$callhook" report "$work/run.jsonl" --json "$work/rebuilt.json" --html "$work/rebuilt.html" --quiet
python3 - "$work/run.json" "$work/rebuilt.json" <<'PY' || fail "the rebuilt report differs from the run's"
import json, sys
run, rebuilt = (json.load(open(p)) for p in sys.argv[1:3])
for key in ("planned", "sent", "delivered", "failed", "dropped", "retried", "out_of_order"):
    assert run["totals"][key] == rebuilt["totals"][key], (key, run["totals"][key], rebuilt["totals"][key])
assert run["faults"] == rebuilt["faults"], (run["faults"], rebuilt["faults"])
# The journal's header carries the ordering and the expectations.
assert run["run"]["ordering"] == rebuilt["run"]["ordering"] == "timeline", (run["run"]["ordering"], rebuilt["run"]["ordering"])
names = lambda r: sorted(e["name"] for e in r["expectations"])
assert names(run) == names(rebuilt) == ["failed", "planned"], (names(run), names(rebuilt))
assert all(e["met"] for e in rebuilt["expectations"]), rebuilt["expectations"]
PY
browse --dump-dom "file://$work/rebuilt.html" > "$work/rebuilt-dom.html" 2>/dev/null
grep -q 'planned [0-9]* &gt;= 1' "$work/rebuilt-dom.html" || fail "the rebuilt page shows no expectations"

# A short run at max speed: its throughput chart uses buckets finer than a second.
"$callhook" run tests/data/html/timeline-faults.json --speed max --html "$work/fast.html" --progress never --quiet
browse --window-size=1400,1000 --dump-dom "file://$work/fast.html" > "$work/fast-dom.html" 2>/dev/null
bucket=$(attribute "$work/fast-dom.html" '<section id="section-throughput"[^>]*>' data-bucket-ms)
[[ -n "$bucket" && "$bucket" -lt 1000 ]] || fail "the short max-speed run's throughput is not in sub-second buckets ($bucket)"
whole_ticks "$work/fast-dom.html" || fail "the fast run's count axes"

# 3. A journal cut by an interrupt: last line cut short, no end record.
head -n -2 "$work/run.jsonl" > "$work/cut.jsonl"
tail -n 2 "$work/run.jsonl" | head -n 1 | head -c 40 >> "$work/cut.jsonl"
"$callhook" report "$work/cut.jsonl" --json "$work/cut.json" --html "$work/cut.html" --quiet
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["interrupted"] is True, r["interrupted"]' \
  "$work/cut.json" || fail "the cut journal's report is not marked interrupted"
browse --dump-dom "file://$work/cut.html" > "$work/cut-dom.html" 2>/dev/null
[[ "$(attribute "$work/cut-dom.html" '<body[^>]*>' data-ready)" == 1 ]] || fail "the cut journal's page did not draw"
grep -q 'the run was stopped before its end' "$work/cut-dom.html" || fail "the cut journal's page does not say interrupted"
cp "$work/cut.html" "$artifacts/interrupted.html"

# 4. Two shards of the same run, merged: the merged report draws, with the
# merged journal's timeline (every call of both shards) and without one.
"$callhook" sink --listen 127.0.0.1:0 --quiet > "$work/sink2.out" 2>&1 &
sink_pid=$!
for _ in $(seq 100); do grep -q listening "$work/sink2.out" && break; sleep 0.05; done
sink_url=$(grep -o 'http://[^ ]*' "$work/sink2.out" | head -n 1)
for i in 0 1; do
  "$callhook" run tests/data/html/timeline-faults.json --target "$sink_url/webhooks" --shard "$i/2" \
    --journal "$work/shard-$i.jsonl" --report "$work/shard-$i.json" --progress never --quiet
done
kill "$sink_pid"
sink_pid=""
"$callhook" merge "$work/shard-0.json" "$work/shard-1.json" --html "$work/merged.html" \
  --journal "$work/merged.jsonl" "$work/shard-0.jsonl" "$work/shard-1.jsonl" --quiet
"$callhook" merge "$work/shard-0.json" "$work/shard-1.json" --html "$work/merged-no-journal.html" --quiet
cp "$work/merged.html" "$artifacts/merged-shards.html"
browse --dump-dom "file://$work/merged.html" > "$work/merged-dom.html" 2> "$work/merged-console.log"
[[ "$(attribute "$work/merged-dom.html" '<body[^>]*>' data-ready)" == 1 ]] || fail "the merged report did not draw"
[[ "$(attribute "$work/merged-dom.html" '<p id="page-errors"[^>]*>' data-errors)" == 0 ]] || fail "the merged report has page errors"
merged_calls=$(attribute "$work/merged-dom.html" '<body[^>]*>' data-calls)
[[ "$merged_calls" == "$calls" ]] || fail "merged timeline rows: $merged_calls, expected the whole run's $calls calls"
browse --dump-dom "file://$work/merged-no-journal.html" > "$work/merged-nj-dom.html" 2>/dev/null
[[ "$(attribute "$work/merged-nj-dom.html" '<body[^>]*>' data-ready)" == 1 ]] || fail "the merged report without a journal did not draw"
[[ "$(attribute "$work/merged-nj-dom.html" '<p id="page-errors"[^>]*>' data-errors)" == 0 ]] || fail "the merged report without a journal has page errors"
echo "merged shards: $merged_calls calls on the timeline"

echo "html report test passed; screenshots in $artifacts"
