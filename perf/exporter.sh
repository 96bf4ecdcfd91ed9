#!/bin/bash
# perf/exporter.sh: how much load can `xpu exporter` take?  A benchmark, not a
# test: wrk for DURATION seconds with CONNECTIONS connections on loopback
# against /metrics of xpu exporter, and in the same run against the /metrics
# of a Prometheus server (Go's net/http, the reference); requests/s, p50/p99
# latency, errors and the exporter's RSS growth, then the ratios.
#
#   perf/exporter.sh                      # ./build/xpu, this machine
#   XPU=build-x/xpu SYSROOT=tests/fixtures/i915-igpu DURATION=10 perf/exporter.sh
#
# Targets from issue 6 (2-core CI machine): 0 errors, p99 <= 5 ms,
# >= 5000 requests/s, RSS growth <= 1 MB.
set -u
XPU=${XPU:-./build/xpu}
DURATION=${DURATION:-30}
CONNECTIONS=${CONNECTIONS:-64}
# wrk's threads: half the cores, so the load generator and the server each
# have their own.  With a wrk thread per core on the 2-core machine the server
# got the same requests/s but waited for a core: p99 4.2-6.9 ms with -t2
# against 1.0-2.4 ms with -t1 (five and three 30 s runs, 2026-11-21).
# THREADS=2 repeats the oversubscribed measurement.
half=$(($(nproc) / 2))
THREADS=${THREADS:-$((half > 0 ? half : 1))}
IDLE=${IDLE:-200}
TMP=$(mktemp -d /tmp/xpu-perf-exporter-XXXXXX)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"' EXIT

for tool in wrk curl python3; do
	command -v "$tool" >/dev/null || { echo "perf/exporter.sh: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
[ -x "$XPU" ] || { echo "perf/exporter.sh: no xpu binary at $XPU (set XPU=)" >&2; exit 1; }

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# wrk's summary -> "rps p50_ms p99_ms errors"
run_wrk() {
	wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$1" >"$TMP/wrk.txt" 2>&1
	awk '
	function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
	/Requests\/sec:/ { rps = $2 }
	/^ +50%/ { p50 = ms($2) }
	/^ +99%/ { p99 = ms($2) }
	/Socket errors:/ { gsub(",", ""); err += $4 + $6 + $8 + $10 }
	/Non-2xx or 3xx responses:/ { err += $5 }
	END { printf "%.0f %.3f %.3f %d\n", rps, p50, p99, err + 0 }' "$TMP/wrk.txt"
}

sysroot_args=()
[ -n "${SYSROOT:-}" ] && sysroot_args=(--sysroot "$SYSROOT")
"$XPU" "${sysroot_args[@]}" exporter --listen 127.0.0.1:0 --interval 1s 2>"$TMP/xpu.err" &
XPID=$!
pids+=($XPID)
for _ in $(seq 100); do grep -q serving "$TMP/xpu.err" && break; sleep 0.1; done
XPORT=$(sed -n 's#.*127.0.0.1:\([0-9]*\)/metrics#\1#p' "$TMP/xpu.err")
[ -n "$XPORT" ] || { echo "perf/exporter.sh: xpu exporter did not start:" >&2; cat "$TMP/xpu.err" >&2; exit 1; }
size=$(curl -s "http://127.0.0.1:$XPORT/metrics" | wc -c)

# hold IDLE idle connections open for the whole xpu run, from four other
# client addresses (the exporter lets each hold 128; wrk is 127.0.0.1)
python3 - "$XPORT" "$IDLE" "$((DURATION + 16))" <<'EOF' &
import socket, sys, time
port, n, hold = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
conns = []
for i in range(n):
    s = socket.socket()
    s.bind((f"127.0.0.{4 + i % 4}", 0))
    s.connect(("127.0.0.1", port))
    conns.append(s)
time.sleep(hold)
EOF
pids+=($!)
sleep 1
# warm-up (10 s): connection pools and malloc arenas reach their steady size
# first (RSS plateaus near 10 MB); growth after that would be a leak
wrk -t"$THREADS" -c"$CONNECTIONS" -d10s "http://127.0.0.1:$XPORT/metrics" >/dev/null 2>&1
rss0=$(rss_kib "$XPID")
read -r x_rps x_p50 x_p99 x_err < <(run_wrk "http://127.0.0.1:$XPORT/metrics")
rss1=$(rss_kib "$XPID")
kill "$XPID"

ref="absent"
. "$(dirname "$0")/prometheus.sh"
if start_prometheus "$TMP"; then
	psize=$(curl -s "http://127.0.0.1:$PPORT/metrics" | wc -c)
	read -r p_rps p_p50 p_p99 p_err < <(run_wrk "http://127.0.0.1:$PPORT/metrics")
	ref="prometheus"
fi

echo "machine: $(nproc) cores, $(uname -r); wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s"
printf '%-30s %10s %9s %9s %7s %10s\n' "server (/metrics bytes)" "req/s" "p50 ms" "p99 ms" "errors" "RSS KiB"
printf '%-30s %10s %9s %9s %7s %10s\n' "xpu exporter ($size, $IDLE idle)" "$x_rps" "$x_p50" "$x_p99" "$x_err" "$rss0->$rss1"
if [ "$ref" = prometheus ]; then
	printf '%-30s %10s %9s %9s %7s %10s\n' "prometheus ($psize)" "$p_rps" "$p_p50" "$p_p99" "$p_err" "-"
	awk -v a="$x_rps" -v b="$p_rps" -v c="$x_p99" -v d="$p_p99" \
		'BEGIN { printf "ratios xpu/prometheus: requests/s %.2f, p99 %.2f\n", a / b, c / d }'
else
	echo "reference prometheus not installed: no ratios"
fi
growth=$((rss1 - rss0))
echo "RSS growth over the run: ${growth} KiB"
verdict=ok
[ "$x_err" = 0 ] || verdict="errors"
awk -v p="$x_p99" 'BEGIN { exit !(p > 5) }' && verdict="$verdict p99>5ms"
awk -v r="$x_rps" 'BEGIN { exit !(r < 5000) }' && verdict="$verdict rps<5000"
[ "$growth" -le 1024 ] || verdict="$verdict rss>1MB"
echo "targets (0 errors, p99<=5ms, >=5000 req/s, RSS growth<=1MB): $verdict"
