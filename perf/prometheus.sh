# Sourced by perf/exporter.sh and perf/exporter-abuse.sh: the reference
# server of their runs, a Prometheus whose own /metrics is Go's net/http.
# start_prometheus TMP: starts it on a free loopback port (in PPORT), waits
# until it answers, and appends its pid to pids[] for the caller's trap;
# status 1 when prometheus or curl is not installed.  Not in a $(...): the
# pid must reach the caller.
start_prometheus() {
	command -v prometheus >/dev/null && command -v curl >/dev/null || return 1
	PPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	printf 'global:\n  scrape_interval: 1h\n' >"$1/prom.yml"
	prometheus --config.file="$1/prom.yml" --storage.tsdb.path="$1/tsdb" \
		--web.listen-address="127.0.0.1:$PPORT" >"$1/prom.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PPORT/metrics" >/dev/null && break; sleep 0.2; done
}
