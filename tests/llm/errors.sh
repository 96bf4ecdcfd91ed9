#!/bin/bash
# xpu bench llm on bad input: a URL that refuses, hangs (bounded by
# --timeout), streams garbage, closes mid-stream, answers HTTP 500 or is no
# LLM server; a model file that is not GGUF or is truncated; bad options.
# Each: exit 1 (2 for the command line), one line naming the input, and
# nothing on stdout (no partial JSON).  The servers are LOCAL STAND-INS
# (tests/llm/standin_llm.py): error paths only, plus Ollama's native API,
# which no real server here speaks: it is checked against its documented
# format only.
# Usage: errors.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-llm-err-XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"; }
trap cleanup EXIT
. "$SRC/tests/lib.sh"
run() { timeout 60 "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$TMP/err"; }
out_empty() { [ ! -s "$TMP/out" ]; }
one_err_line() { [ "$(grep -cv '^xpu bench llm: ' "$TMP/err")" = 1 ]; }
jq_ok() { jq -e "$1" "$TMP/out" >/dev/null; }
check_failed() { sed 's/^/    | /' "$TMP/err" | tail -5; }

# standin MODE: starts a stand-in, sets URL
standin() {
	rm -f "$TMP/port"
	python3 "$SRC/tests/llm/standin_llm.py" "$1" "$TMP/port" &
	PIDS+=($!)
	for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
	URL=http://127.0.0.1:$(cat "$TMP/port")
}

# fails NAME RC MESSAGE ARGS...: the run exits RC, says MESSAGE in one line
# on stderr, and prints nothing on stdout
fails() {
	local name=$1 want=$2 msg=$3
	shift 3
	run bench llm "$@"
	check "$name: exit $want" rc_is "$want"
	check "$name: says '$msg'" err_has "$msg"
	check "$name: one line" one_err_line
	check "$name: nothing on stdout" out_empty
}

# --- the command line ---
run bench llm --help
check "--help exits 0" rc_is 0
for opt in --url --api --model --prompt-tokens --output-tokens --concurrency --requests --rate --warmup \
	--timeout --model-file --model-bytes --hw-baseline --json --save --compare --threshold --plot "Exit status"; do
	check "--help documents $opt" grep -q -- "$opt" "$TMP/out"
	check "man page documents $opt" grep -qi -- "$(sed 's/-/\\\\-/g' <<<"$opt")" "$SRC/doc/xpu-bench.1"
done
fails "no --url" 2 "give --url"
fails "--concurrency 0" 2 "'0'" --url http://127.0.0.1:9 --concurrency 0
fails "--concurrency x" 2 "'x'" --url http://127.0.0.1:9 --concurrency 1,x
fails "--api bogus" 2 "'bogus'" --url http://127.0.0.1:9 --api bogus
fails "--rate -1" 2 "'-1'" --url http://127.0.0.1:9 --rate -1

# --- servers that are not there, or fail ---
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
fails "refused" 1 "cannot connect to http://127.0.0.1:$PORT" --url "http://127.0.0.1:$PORT" --json
standin hang
t0=$SECONDS
fails "hang" 1 "no answer within 1.0 s" --url "$URL" --timeout 1 --json
check "hang: bounded by --timeout" [ $((SECONDS - t0)) -lt 20 ]
standin not-llm
fails "not an LLM server" 1 "is not an LLM server" --url "$URL" --json
standin refuse-stream
fails "HTTP 500" 1 "HTTP 500 from $URL/v1/completions" --url "$URL" --json
check "HTTP 500: the server's message" err_has "out of memory"
standin garbage
fails "garbage" 1 "not a JSON object in the stream" --url "$URL" --json
standin cut
fails "closed mid-stream" 1 "stopped before its end" --url "$URL" --json

# --- model files ---
standin standin
echo "this is no model" >"$TMP/not.gguf"
fails "not GGUF" 1 "not a GGUF model file" --url "$URL" --model-file "$TMP/not.gguf"
check "not GGUF: names the file" err_has "$TMP/not.gguf"
python3 "$SRC/tests/llm/gguf_model.py" --help >/dev/null
printf 'GGUF\003\000\000\000\020\000\000\000\000\000\000\000\005\000' >"$TMP/cut.gguf"
fails "truncated GGUF" 1 "truncated" --url "$URL" --model-file "$TMP/cut.gguf"
fails "missing model file" 1 "cannot read $TMP/none.gguf" --url "$URL" --model-file "$TMP/none.gguf"
echo '{"kind":"other"}' >"$TMP/base.json"
fails "--hw-baseline not a baseline" 1 "not an xpu bench baseline" --url "$URL" --hw-baseline "$TMP/base.json"

# --- a stand-in that works: the stream is read as documented ---
run bench llm --url "$URL" --prompt-tokens 16 --output-tokens 12 --requests 3 --json
check "stand-in: exit 0" rc_is 0
check "stand-in: 12 tokens a request" jq_ok '[.requests[].output_tokens] == [12,12,12]'
check "stand-in: no server timings: null with a reason" jq_ok '.levels[0].server.tpot_ms.value == null and (.levels[0].server.tpot_ms.detail | length > 0)'

# --- Ollama's native API (documented format; no real Ollama here) ---
standin ollama-load
run bench llm --url "$URL" --prompt-tokens 16 --output-tokens 10 --requests 3 --warmup 0 --json
check "ollama: exit 0" rc_is 0
check "ollama: detected" jq_ok '.server.api == "ollama" and .server.endpoint == "/api/generate" and .server.software == "Ollama 0.12.11"'
check "ollama: eval_count read" jq_ok '[.requests[].output_tokens] == [10,10,10]'
check "ollama: the model load is reported, not counted as TTFT" jq_ok '.levels[0].model_loads == 1 and .levels[0].ttft_ms.samples == 2 and .requests[0].model_load'
check "ollama: its durations are the server's figures" jq_ok '.levels[0].server.decode_tokens_per_s > 0 and .levels[0].server.tpot_ms > 0'
standin ollama-load
run bench llm --url "$URL" --prompt-tokens 16 --output-tokens 10 --requests 2 --warmup 0
check "ollama: the text report says so" grep -q "loaded the model: not counted" "$TMP/out"
standin standin
fails "--api ollama on an OpenAI server" 1 "no Ollama server" --url "$URL" --api ollama
finish
