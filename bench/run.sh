#!/usr/bin/env bash
# The load benchmark: callhook against nginx answering 204 on loopback,
# beside wrk (and hey / autocannon when installed) on the same receiver, in
# one run. Prints each rate and its ratio to wrk's, the transport alone
# beside wrk over http and https (nginx with a self-signed certificate made
# here), lateness at a planned 10,000 webhooks/s, time to first request,
# and the peak memory of a million-call run.
# Then bench/load_max.sh: the shipped scenarios/load-max.json whole, as
# users run it, beside wrk in the same run (one round; load_max.sh alone
# runs three). Last, bench/first_build.sh: the binary's first build from a
# fresh clone.
# Usage: bench/run.sh [seconds per sender, default 10]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-10}"

scripts/install-deps.sh --bench
sudo=""; [[ $(id -u) -ne 0 ]] && sudo=sudo
command -v python3 >/dev/null || $sudo apt-get install -y -qq python3 >/dev/null
[[ -x /usr/bin/time ]] || $sudo apt-get install -y -qq time >/dev/null  # CPU time per process
scripts/configure.sh release -DCALLHOOK_BENCH=ON >/dev/null  # the preset leaves the benchmarks out
cmake --build --preset release -j"$(nproc)" --target callhook transport_bench >/dev/null
callhook=build/release/callhook

source bench/nginx.sh
bench_receiver "$callhook"   # sets work, nginx_pid, port, tls_port, url, tls_url and body; writes $work/post.lua
echo "receiver: nginx $(nginx -v 2>&1 | sed 's/.*\///') on $url; body ${#body} bytes; $(nproc) cores"

report_field() { python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$1" "$2"; }

wrk_out=$(wrk -t2 -c8 -d"${seconds}s" -s "$work/post.lua" "$url")
wrk_rate=$(echo "$wrk_out" | awk '/Requests\/sec/ {print $2}')
printf '%-44s %10.0f req/s\n' "wrk -t2 -c8 (reference)" "$wrk_rate"

ratio() { python3 -c "print(f'{float($1)/float($2):.2f}')"; }

# callhook: real Voiceflow calls at speed max, 8 connections.
calls=$(python3 -c "print(int(float($wrk_rate) * $seconds / 4))")
cat > "$work/max.json" <<JSON
{ "name": "bench-max", "seed": 1, "speed": "max", "concurrency": 16,
  "streams": [{ "vendor": "voiceflow",
    "calls": { "count": $calls, "arrival": { "rate_per_s": 500 }, "duration_s": { "uniform": [30, 300] } } }] }
JSON
run_rate() {  # scenario, extra flags...: prints delivered/s
  local scenario=$1; shift
  "$callhook" run "$scenario" --target "$url" --connections 8 --progress never --quiet --report "$work/r.json" "$@"
  report_field "$work/r.json" "r['totals']['delivered'] / r['duration_s']"
}
# Two lanes (--threads 2, each with 4 of the 8 connections) beside wrk's two threads.
ch_rate=$(run_rate "$work/max.json" --threads 2)
printf '%-44s %10.0f req/s  %sx wrk\n' "callhook --threads 2, speed max" "$ch_rate" "$(ratio "$ch_rate" "$wrk_rate")"
first_ms=$(report_field "$work/r.json" "r['run']['first_delivery_ms']")
ch_journal=$(run_rate "$work/max.json" --threads 2 --journal "$work/journal.jsonl")
printf '%-44s %10.0f req/s  %sx wrk  (journal %s MB)\n' "callhook --threads 2, journal on" "$ch_journal" \
  "$(ratio "$ch_journal" "$wrk_rate")" "$(( $(stat -c %s "$work/journal.jsonl") / 1000000 ))"
rm -f "$work/journal.jsonl"

# The transport alone (bench/transport_bench: no payloads, no engine, 16
# requests in flight on 8 connections) beside wrk with one thread, the same
# body, over http and over https.
for target in "$url" "$tls_url"; do
  scheme=${target%%:*}
  wrk_one=$(wrk -t1 -c8 -d"${seconds}s" -s "$work/post.lua" "$target" | awk '/Requests\/sec/ {print $2}')
  printf '%-44s %10.0f req/s\n' "wrk -t1 -c8, $scheme" "$wrk_one"
  transport_rate=$(build/release/bench/transport_bench "$target" --connections 8 --seconds "$seconds" \
                   --body-bytes "${#body}" --insecure | awk '/^requests:/ {print $4}')
  printf '%-44s %10.0f req/s  %sx wrk -t1\n' "transport alone, 8 connections, $scheme" "$transport_rate" \
    "$(ratio "$transport_rate" "$wrk_one")"
done

# The same against callhook's own sink (cpp-httplib, a thread per connection).
"$callhook" sink --listen 127.0.0.1:0 --quiet --threads 16 > "$work/sink.out" &
sink_pid=$!
for _ in $(seq 50); do grep -q listening "$work/sink.out" 2>/dev/null && break; sleep 0.1; done
sink_url="$(sed -n 's/.*listening on //p' "$work/sink.out")/webhooks"
sink_rate=$("$callhook" run "$work/max.json" --target "$sink_url" --connections 8 --threads 1 --progress never --quiet \
            --report "$work/r.json" && report_field "$work/r.json" "r['totals']['delivered'] / r['duration_s']")
kill "$sink_pid" 2>/dev/null; wait "$sink_pid" 2>/dev/null || true
printf '%-44s %10.0f req/s  (receiver: callhook sink)\n' "callhook to callhook sink, 8 connections" "$sink_rate"

if command -v hey >/dev/null; then
  hey_rate=$(hey -z "${seconds}s" -c 8 -m POST -T application/json -d "$body" "$url" | awk '/Requests\/sec/ {print $2}')
  printf '%-44s %10.0f req/s  %sx wrk\n' "hey -c 8" "$hey_rate" "$(ratio "$hey_rate" "$wrk_rate")"
fi
if command -v autocannon >/dev/null; then
  ac_rate=$(autocannon -j -c 8 -d "$seconds" -m POST -H content-type=application/json -b "$body" "$url" 2>/dev/null |
            python3 -c "import json,sys; print(json.load(sys.stdin)['requests']['average'])")
  printf '%-44s %10.0f req/s  %sx wrk\n' "autocannon -c 8" "$ac_rate" "$(ratio "$ac_rate" "$wrk_rate")"
fi

# Lateness at a planned 10,000 webhooks/s in real time (2,500 calls/s, 4 webhooks each).
cat > "$work/paced.json" <<JSON
{ "name": "bench-10k", "seed": 2, "speed": 1, "concurrency": 256,
  "streams": [{ "vendor": "voiceflow",
    "calls": { "for_s": $seconds, "arrival": { "rate_per_s": 2500 }, "duration_s": { "uniform": [1, 3] } } }] }
JSON
"$callhook" run "$work/paced.json" --target "$url" --threads 1 --progress never --quiet --report "$work/r.json"
printf '%-44s %10s\n' "planned 10,000 webhooks/s: sent in seconds 1-$((seconds - 1))" \
  "$(report_field "$work/r.json" "round(sum(s['sent'] for s in r['throughput']['per_second'][1:$seconds]) / ($seconds - 1))")/s"
printf '%-44s %10s ms (p50 %s ms)\n' "  lateness p99" "$(report_field "$work/r.json" "r['lateness_ms']['p99']")" \
  "$(report_field "$work/r.json" "r['lateness_ms']['p50']")"
printf '%-44s %10s ms\n' "time to first request (process start)" "$first_ms"

# Memory against population size: 100,000 and 1,000,000 calls.
for n in 100000 1000000; do
  cat > "$work/mem.json" <<JSON
{ "name": "bench-mem", "seed": 3, "speed": "max", "concurrency": 64,
  "streams": [{ "vendor": "voiceflow",
    "calls": { "count": $n, "arrival": { "rate_per_s": 100 }, "duration_s": { "uniform": [30, 300] } } }] }
JSON
  "$callhook" run "$work/mem.json" --target "$url" --threads 1 --progress never --quiet --report "$work/r.json"
  printf '%-44s %10s MiB  (%s deliveries in %ss)\n' "peak memory, $n calls" \
    "$(report_field "$work/r.json" "r['run']['peak_rss_mb']")" "$(report_field "$work/r.json" "r['totals']['delivered']")" \
    "$(report_field "$work/r.json" "round(r['duration_s'], 1)")"
done

# Concurrent sessions: 100,000 calls alive at once (10,000 calls/s, each 20 s long, paced at 1x).
cat > "$work/conc.json" <<JSON
{ "name": "bench-concurrent", "seed": 4, "speed": 1, "concurrency": 256,
  "streams": [{ "vendor": "voiceflow",
    "calls": { "count": 120000, "arrival": { "rate_per_s": 10000 }, "duration_s": 20 } }] }
JSON
"$callhook" run "$work/conc.json" --target "$url" --threads 1 --progress never --quiet --report "$work/r.json"
printf '%-44s %10s MiB\n' "peak memory, 100,000+ concurrent sessions" "$(report_field "$work/r.json" "r['run']['peak_rss_mb']")"

# The shipped load scenario whole, as users run it (bench/load_max.sh).
bench/load_max.sh 1 "$seconds"

# The first build of the binary from a fresh clone, as scripts/demo.sh makes it.
bench/first_build.sh
