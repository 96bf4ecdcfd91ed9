#!/bin/bash
# perf/exporter-abuse.sh: is `xpu exporter` still answered under abuse?  A
# benchmark, not a test (issue 15's goals), side by side with the /metrics
# of a Prometheus server (Go's net/http) under the same abuse, when installed.
#
#   perf/exporter-abuse.sh                       # ./build/xpu, this machine
#   XPU=build-x/xpu SLOW=2000 HOLD=30 DURATION=60 perf/exporter-abuse.sh
#
# 1. slowloris: SLOW connections from one client (127.0.0.3), each sending a
#    header line every 5 s and never ending its request, held HOLD seconds;
#    meanwhile 20 scrapes of /metrics from another client (127.0.0.2), one a
#    second.  Goal: 20 of 20 answered within 1 s.
# 2. load: after a 10 s warm-up, wrk -c64 for DURATION seconds from
#    127.0.0.1.  Goal: 0 errors, RSS growth <= 1 MB over the run.
# Needs python3 and wrk (apt-get install wrk); curl for the reference.
set -u
XPU=${XPU:-./build/xpu}
SLOW=${SLOW:-2000}
HOLD=${HOLD:-30}
DURATION=${DURATION:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d /tmp/xpu-perf-abuse-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT

for tool in wrk python3; do
	command -v "$tool" >/dev/null || { echo "perf/exporter-abuse.sh: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$XPU" ] || { echo "perf/exporter-abuse.sh: no xpu binary at $XPU (set XPU=)" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
kv() { sed -n "s/.*\b$1=\([0-9.]*\).*/\1/p" "$2"; }
half=$(($(nproc) / 2))
THREADS=${THREADS:-$((half > 0 ? half : 1))}

"$XPU" exporter --listen 127.0.0.1:0 --interval 1s 2>"$TMP/xpu.err" &
XPID=$!
pids+=($XPID)
for _ in $(seq 100); do grep -q serving "$TMP/xpu.err" && break; sleep 0.1; done
XPORT=$(sed -n 's#.*127.0.0.1:\([0-9]*\)/metrics#\1#p' "$TMP/xpu.err")
[ -n "$XPORT" ] || { echo "perf/exporter-abuse.sh: xpu exporter did not start:" >&2; cat "$TMP/xpu.err" >&2; exit 1; }

slowloris() { # PORT OUT
	python3 "$HERE/slowloris.py" "$1" --attack-from 127.0.0.3 --connections "$SLOW" --every 5 \
		--hold "$HOLD" --scrape-from 127.0.0.2 --scrapes 20 --scrape-every 1 --scrape-timeout 5 >"$2"
}
slowloris "$XPORT" "$TMP/x.slow"
sleep 11 # the attack's connections are gone (each is cut after 10 s)
# wrk's summary -> "requests p99_ms errors"
load() {
	wrk -t"$THREADS" -c64 -d"$2s" --latency "$1" >"$TMP/wrk.txt" 2>&1
	awk 'function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/requests in/ { n = $1 } /^ +99%/ { p99 = ms($2) }
	/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx or 3xx responses:/ { err += $5 }
	END { printf "%d %.3f %d\n", n, p99, err + 0 }' "$TMP/wrk.txt"
}
wrk -t"$THREADS" -c64 -d10s "http://127.0.0.1:$XPORT/metrics" >/dev/null 2>&1
rss0=$(rss_kib "$XPID")
read -r x_n x_p99 x_err < <(load "http://127.0.0.1:$XPORT/metrics" "$DURATION")
rss1=$(rss_kib "$XPID")
kill "$XPID"

ref=absent
. "$HERE/prometheus.sh"
if start_prometheus "$TMP"; then
	slowloris "$PPORT" "$TMP/p.slow"
	ref=prometheus
fi

echo "machine: $(nproc) cores, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')"
echo "slowloris: $SLOW connections from 127.0.0.3 (a header line every 5 s) for ${HOLD}s; 20 scrapes from 127.0.0.2"
printf '%-22s %8s %8s %6s %9s %10s %12s\n' server "held" refused cut "cut at s" "in 1 s" "slowest s"
row() { # name file
	printf '%-22s %8s %8s %6s %9s %10s %12s\n' "$1" "$(($(kv attack_open "$2") - $(kv attack_refused "$2")))" \
		"$(kv attack_refused "$2")" "$(kv attack_cut "$2")" "$(kv attack_cut_median_s "$2")" \
		"$(kv answered_1s "$2")/$(kv scrapes "$2")" "$(kv max_s "$2")"
}
row "xpu exporter" "$TMP/x.slow"
[ "$ref" = prometheus ] && row "prometheus /metrics" "$TMP/p.slow"
echo "load: wrk -t$THREADS -c64 -d${DURATION}s on /metrics after a 10 s warm-up"
echo "  xpu exporter: $x_n requests, p99 $x_p99 ms, $x_err errors, RSS ${rss0} -> ${rss1} KiB"
verdict=ok
[ "$(kv answered_1s "$TMP/x.slow")" = 20 ] || verdict="scrapes<20/20"
[ "$x_err" = 0 ] || verdict="$verdict errors"
[ $((rss1 - rss0)) -le 1024 ] || verdict="$verdict rss>1MB"
echo "goals (20/20 scrapes within 1 s under slowloris; wrk 0 errors; RSS growth <= 1 MB): $verdict"
[ "$verdict" = ok ]
