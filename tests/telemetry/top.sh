#!/bin/bash
# xpu top as people and scripts meet it: the curses view in an 80x24 tmux
# pane (send-keys, capture-pane), sorting keys and q; --once text and JSON on
# a recorded tree and on this machine (no DRM: graceful); errors.
# Usage: top.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-top-XXXXXX)
SESSION=xpu-top-test-$$
cleanup() {
	tmux kill-session -t "$SESSION" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
. "$SRC/tests/telemetry/common.sh"

ROOT=$TMP/root
make_root "$ROOT"
client "$ROOT" 100 4 7 1024 0
client "$ROOT" 205 4 8 4096 0

# --- --once, text and JSON ---
"$XPU" --sysroot "$ROOT" top --once --interval 100ms >"$TMP/out" 2>"$TMP/err"
check "--once exits 0" [ $? = 0 ]
check "--once names the GPU" grep -q "Alder Lake-P Integrated Graphics Controller" "$TMP/out"
check "--once lists both processes" bash -c "grep -q ' app100 ' '$TMP/out' && grep -q ' app205 ' '$TMP/out'"
check "--once sorts by memory: the 4 MiB process first" bash -c "grep -m1 ' app' '$TMP/out' | grep -q app205"
"$XPU" --sysroot "$ROOT" top --once --json --interval 100ms >"$TMP/json"
check "--once --json has schema_version 1" [ "$(jq -r .schema_version "$TMP/json")" = 1 ]
check "--once --json: two samples were taken" [ "$(jq -r .sample "$TMP/json")" = 2 ]
check "--once --json: utilisation is a number after two samples" [ "$(jq -r '.devices[0].utilization_percent.value' "$TMP/json")" = 0 ]
check "--once --json: a missing value is null with its reason" [ "$(jq -r '.devices[0].temperature_c | "\(.value) \(.reason)"' "$TMP/json")" = "null file_missing" ]
check "--once --json: process memory by region" [ "$(jq -r '.processes[] | select(.pid == 205) | .system_bytes.value' "$TMP/json")" = 4194304 ]
"$XPU" --json --sysroot "$ROOT" top --once --interval 100ms | jq -e .devices >/dev/null
check "the global --json works too" [ $? = 0 ]

# --- this machine ---
"$XPU" top --once --json --interval 100ms >"$TMP/live" 2>"$TMP/err"
check "this machine: --once --json exits 0" [ $? = 0 ]
check "this machine: valid JSON with devices" [ "$(jq -r '.devices | length >= 1' "$TMP/live")" = true ]
if [ ! -e /dev/dri ]; then
	check "no DRM here: no GPU processes, nothing hidden" [ "$(jq -r '"\(.processes | length) \(.processes_status.complete)"' "$TMP/live")" = "0 true" ]
else
	skip "no DRM here: no GPU processes, nothing hidden" "this machine has /dev/dri"
fi

# --- errors ---
"$XPU" top --bogus >/dev/null 2>&1
check "an unknown option exits 2" [ $? = 2 ]
"$XPU" top --json >/dev/null 2>"$TMP/err"
check "--json without --once exits 2" [ $? = 2 ]
"$XPU" top --interval 0 >/dev/null 2>"$TMP/err"
check "--interval 0 exits 2, naming it" bash -c "grep -q \"'0'\" '$TMP/err'"
"$XPU" top </dev/null >"$TMP/out" 2>"$TMP/err"
check "no terminal: exits 1" [ $? = 1 ]
check "no terminal: one line pointing to --once" bash -c "grep -q -- --once '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
"$XPU" --sysroot /nonexistent/xpu top --once >/dev/null 2>"$TMP/err"
check "unreadable sysroot: exits 1" [ $? = 1 ]
check "unreadable sysroot: named" grep -q /nonexistent/xpu "$TMP/err"

# --- the live view in tmux, 80x24 ---
if ! command -v tmux >/dev/null; then
	not_ok "tmux is installed (scripts/packages/telemetry.list)"
	finish
fi
screen() { tmux capture-pane -p -t "$SESSION" 2>/dev/null; }
wait_for() { # wait_for TEXT: up to 10 s
	for _ in $(seq 100); do screen | grep -qF -- "$1" && return 0; sleep 0.1; done
	screen >"$TMP/screen"
	return 1
}
tmux new-session -d -s "$SESSION" -x 80 -y 24 \
	"TERM=xterm '$XPU' --sysroot '$ROOT' top --interval 200ms; echo exited \$? >'$TMP/status'; sleep 30"
check "the view shows the GPU" wait_for "Alder Lake-P"
check "the view shows the process table" wait_for "app205"
check "the view fits 80 columns" bash -c "[ \$(tmux capture-pane -p -t '$SESSION' | awk '{ if (length > m) m = length } END { print m }') -le 80 ]"
check "the header names the default sort" wait_for "sorted by memory"
# "render n/a" after one sample, a number once two were taken
check "engine use is a number after two samples" wait_for "render 0%"
tmux send-keys -t "$SESSION" p
check "p sorts by pid" wait_for "sorted by pid"
check "sorted by pid: app100 comes first" bash -c "tmux capture-pane -p -t '$SESSION' | grep -m1 ' app' | grep -q app100"
tmux send-keys -t "$SESSION" u
check "u sorts by engine use" wait_for "sorted by engine use"
tmux send-keys -t "$SESSION" q
for _ in $(seq 50); do [ -s "$TMP/status" ] && break; sleep 0.1; done
check "q quits with status 0" [ "$(cat "$TMP/status" 2>/dev/null)" = "exited 0" ]
finish
