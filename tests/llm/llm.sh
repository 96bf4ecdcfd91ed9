#!/bin/bash
# xpu bench llm against a real llama.cpp llama-server (built from source by
# tests/llm/llama.sh), serving a tiny Llama-shaped model with random weights
# and llama.cpp's own Llama 3 tokenizer (tests/llm/gguf_model.py), started
# through `xpu run --app llama-server`, checked by `xpu doctor --app
# llama-server`.  Each figure is held against the server's own timings in
# the same run; the roofline's bytes per token against the writer's own
# count; the plot is rendered by headless Chromium.  No speed is asserted:
# the tolerances are for agreement between client and server, which a wrong
# definition (a token too many, TTFT from the wrong chunk) breaks.
# Usage: llm.sh XPU_BINARY SOURCE_DIR
# Environment: XPU_LLAMA_BIN (llama-server's folder), XPU_LLAMA_SRC (the
# source, for its vocab file); default the build of tests/llm/llama.sh.
set -u
XPU=$1
SRC=$2
BIN=${XPU_LLAMA_BIN:-$SRC/build-llama/build/bin}
LSRC=${XPU_LLAMA_SRC:-$SRC/build-llama/src}
if [ ! -x "$BIN/llama-server" ] || [ ! -f "$LSRC/models/ggml-vocab-llama-bpe.gguf" ]; then
	echo "SKIP: no llama-server in $BIN: build it with 'bash tests/llm/llama.sh ensure' (tests/run.sh does," \
		"unless XPU_LLAMA=off)"
	exit 77
fi
TMP=$(mktemp -d /tmp/xpu-llm-XXXXXX)
SERVER=
cleanup() { [ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
. "$SRC/tests/lib.sh"
export XPU_CACHE_DIR=$TMP/cache
run() { timeout 300 "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
jq_ok() { jq -e "$1" "$TMP/out" >/dev/null; }
check_failed() { sed 's/^/    | /' "$TMP/err" | tail -5; }
py() { python3 - "$@"; }

# --- the model and the server ---
check "the model is written" python3 "$SRC/tests/llm/gguf_model.py" "$LSRC/models/ggml-vocab-llama-bpe.gguf" \
	"$TMP/tiny.gguf" --shape tiny --type q4_0
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
# --cache-ram 0: the host prompt cache would save each request's KV cache
# when the next arrives, outside the server's prompt_ms (perf/llm-h200.sh)
PATH=$BIN:$PATH "$XPU" run --app llama-server -- llama-server -m "$TMP/tiny.gguf" --host 127.0.0.1 \
	--port "$PORT" -c 4096 -np 2 -t 1 --cache-ram 0 >"$TMP/server.log" 2>&1 &
SERVER=$!
up=0
for _ in $(seq 600); do
	curl -sf "$URL/health" >/dev/null 2>&1 && { up=1; break; }
	kill -0 "$SERVER" 2>/dev/null || break
	sleep 0.1
done
check "llama-server starts through xpu run --app llama-server" [ "$up" = 1 ]
[ "$up" = 1 ] || { tail -20 "$TMP/server.log"; finish; }
check "xpu run gave it the cpu profile (--device none -ngl 0)" \
	bash -c "tr '\\0' ' ' </proc/$SERVER/cmdline | grep -q -- '--device none -ngl 0'"

# --- a baseline for the bandwidth: xpu bench's own STREAM on this CPU ---
run bench --device cpu --quick --only stream.triad --save "$TMP/base.json"
check "xpu bench saves a host baseline" rc_is 0

# --- the sweep ---
run bench llm --url "$URL" --concurrency 1,2 --requests 6 --prompt-tokens 128 --output-tokens 128 \
	--hw-baseline "$TMP/base.json" --json --save "$TMP/llm.json" --plot "$TMP/plot.svg"
check "bench llm: exit 0" rc_is 0
cp "$TMP/out" "$TMP/report.json"
check "bench llm: found llama-server" jq_ok '.server.software | startswith("llama.cpp llama-server")'
check "bench llm: the model is the server's file" jq_ok ".roofline.model_file == \"$TMP/tiny.gguf\""
check "bench llm: 2 levels of 6 requests" jq_ok '[.levels[].requests] == [6,6] and (.requests | length) == 12'
check "bench llm: every request generated exactly 128 tokens (ignore_eos)" jq_ok '[.requests[].output_tokens] | all(. == 128)'
check "bench llm: prompts of 128 tokens as the server counted them (+-2)" \
	jq_ok '[.requests[].prompt_tokens] | all(. >= 126 and . <= 130)'
check "bench llm: no prompt was served from the cache" \
	bash -c "! grep -q 'cache_n\": *[1-9]' '$TMP/server.log'"
check "bench llm: the saved report is the printed one" cmp -s <(jq -S 'del(.requests)' "$TMP/llm.json") \
	<(jq -S 'del(.requests)' "$TMP/report.json")

# Client against server, the same requests: TTFT is never below the
# server's prompt_ms (the client sees the first token later) and the median
# request's is within 25 ms of it; the median request's TPOT within 10% of
# predicted_per_token_ms at concurrency 1 and 25% at 2 (the same definition:
# n-1 steps from the first token to the last).  The median, because one
# delivery held back by a loaded machine's scheduler moves one request; and
# up to 3 sweeps, because a 2-core machine under another job's load (seen:
# load 12, TTFT 332 ms against 4.8 ms) can hold back most of one sweep.  A
# wrong definition fails every sweep.
agree() { # REPORT: prints what disagrees
	python3 - "$1" <<'PY'
import json, sys
r, bad = json.load(open(sys.argv[1])), []
def median(x):
    x = sorted(x)
    return (x[len(x) // 2] + x[(len(x) - 1) // 2]) / 2
below = [q for q in r["requests"] if q["ttft_ms"] < q["server"]["ttft_ms"]]
bad += ["TTFT %.2f below the server's %.2f" % (q["ttft_ms"], q["server"]["ttft_ms"]) for q in below]
late = median([q["ttft_ms"] - q["server"]["ttft_ms"] for q in r["requests"]])
late <= 25 or bad.append("the median TTFT is %.1f ms after the server's prompt_ms" % late)
for c, tol in ((1, 0.10), (2, 0.25)):
    m = median([q["tpot_ms"] / q["server"]["tpot_ms"] for q in r["requests"] if q["concurrency"] == c])
    abs(m - 1) <= tol or bad.append("concurrency %d: the median TPOT is %.3f of the server's" % (c, m))
print("; ".join(bad))
sys.exit(1 if bad else 0)
PY
}
why=$(agree "$TMP/report.json")
tries=1
while [ -n "$why" ] && [ $tries -lt 3 ]; do
	echo "    sweep $tries: $why (load: $(cut -d' ' -f1-3 /proc/loadavg)); again"
	tries=$((tries + 1))
	run bench llm --url "$URL" --concurrency 1,2 --requests 6 --prompt-tokens 128 --output-tokens 128 --json
	why=$(agree "$TMP/out")
done
check "client and server agree on TTFT and TPOT (sweep $tries of at most 3)" [ -z "$why" ]
cp "$TMP/report.json" "$TMP/out" # the checks below read the first sweep's report
check "per level: the figures follow from the requests (vLLM's definitions)" py "$TMP/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
for lv in r["levels"]:
    qs = [q for q in r["requests"] if q["concurrency"] == lv["concurrency"]]
    tp = sorted(q["tpot_ms"] for q in qs)
    mean = sum(tp) / len(tp)
    assert abs(lv["tpot_ms"]["mean"] / mean - 1) < 1e-5, (lv["tpot_ms"], mean)
    for q in qs:
        want = (q["e2e_ms"] - q["ttft_ms"]) / (q["output_tokens"] - 1)
        assert abs(q["tpot_ms"] / want - 1) < 1e-4, (q, want)
    out = sum(q["output_tokens"] for q in qs) / lv["duration_s"]
    assert abs(lv["output_tokens_per_s"] / out - 1) < 1e-5, (lv["output_tokens_per_s"], out)
    assert abs(lv["stream_tokens_per_s"] * lv["tpot_ms"]["mean"] / 1000 - 1) < 1e-5
    assert lv["itl_ms"]["samples"] > 0 and lv["itl_ms"]["p50"] <= lv["itl_ms"]["p99"]
PY

# --- the roofline: bytes per token as the writer counts them ---
check "roofline: bytes per token = every tensor but token_embd + the KV cache at 192 tokens" \
	py "$TMP/report.json" "$SRC/tests/llm" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[2])
import gguf_model as g
r = json.load(open(sys.argv[1]))["roofline"]
s = g.SHAPES["tiny"]
ts = g.tensors(s, 128256, "q4_0")
weights = sum(g.nbytes(d, t) for n, d, t in ts if n != "token_embd.weight")
head = s["n_embd"] // s["n_head"]
kv = 2 * s["n_layer"] * s["n_head_kv"] * 2 * head  # K and V, f16
assert r["weight_bytes_per_token"] == weights, (r["weight_bytes_per_token"], weights)
assert r["kv_bytes_per_context_token"] == kv, (r["kv_bytes_per_context_token"], kv)
assert r["bytes_per_token"] == weights + kv * (128 + 128 / 2), r["bytes_per_token"]
assert r["weight_type"] == "q4_0" and r["layers"] == s["n_layer"]
PY
check "roofline: the device is the CPU, found from the server's pid" \
	jq_ok ".roofline.device == \"cpu\" and .roofline.server_pid == $SERVER"
check "roofline: bandwidth from the baseline's stream.triad" \
	jq_ok '.roofline.bandwidth_source | startswith("measured: stream.triad")'
check "roofline: MBU = bytes per token x tokens/s / bandwidth" py "$TMP/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rf, lv = r["roofline"], r["levels"][0]
want = 100 * rf["bytes_per_token"] * lv["stream_tokens_per_s"] / (rf["bandwidth_gbs"] * 1e9)
assert abs(lv["mbu_percent"] / want - 1) < 1e-5, (lv["mbu_percent"], want)
assert "GB per token" in rf["verdict"] and "%.1f%%" % lv["mbu_percent"] in rf["verdict"], rf["verdict"]
PY

# --- the text report, --compare ---
run bench llm --url "$URL" --concurrency 1 --requests 4 --prompt-tokens 64 --output-tokens 16 \
	--hw-baseline "$TMP/base.json"
check "text report: exit 0" rc_is 0
check "text report: the table and the server's own line" \
	bash -c "grep -q 'TTFT p50/p99' '$TMP/out' && grep -q \"server's own, mean: TTFT\" '$TMP/out'"
check "text report: the verdict" grep -q "verdict: Decode at concurrency 1" "$TMP/out"
run bench llm --url "$URL" --concurrency 1,2 --requests 6 --prompt-tokens 128 --output-tokens 128 \
	--compare "$TMP/llm.json" --threshold 1000
check "--compare with its own baseline: exit 0" rc_is 0
check "--compare: 16 figures compared" grep -q "16 compared, 0 regressions" "$TMP/out"
jq '.levels[].output_tokens_per_s *= 10' "$TMP/llm.json" >"$TMP/faster.json"
run bench llm --url "$URL" --concurrency 1,2 --requests 6 --prompt-tokens 128 --output-tokens 128 \
	--compare "$TMP/faster.json" --json
check "--compare with a 10x faster baseline: exit 3" rc_is 3
check "--compare: the regression is named on stderr" grep -q "output_tokens_per_s.*REGRESSION" "$TMP/err"
check "--compare --json: stdout is still one document" jq_ok '.kind == "xpu-bench-llm"'

# --- xpu doctor --app llama-server on the same server ---
run --json doctor --app llama-server --url "$URL"
check "doctor: the server is up" jq_ok '.checks[] | select(.id == "apps.llama-server.server") | .verdict == "PASS"'
check "doctor: the model file and its layers" jq_ok ".checks[] | select(.id == \"apps.llama-server.model\") | .verdict == \"PASS\" and (.evidence | contains(\"$TMP/tiny.gguf\") and contains(\"2 layers\"))"
check "doctor: the layers run on the CPU, found from the server's pid" jq_ok ".checks[] | select(.id == \"apps.llama-server.layers\") | (.verdict == \"PASS\" or .verdict == \"FAIL\") and (.evidence | contains(\"pid $SERVER\"))"

# --- the plot, as a browser shows it ---
check "--plot wrote an SVG" grep -q '<svg' "$TMP/plot.svg"
check "--plot: one point per level" [ "$(grep -c '<circle' "$TMP/plot.svg")" = 4 ]
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
	not_ok "--plot renders in Chromium: no chromium here (scripts/deps.sh installs it)"
else
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
		--disable-component-update --disable-sync --no-first-run --user-data-dir="$TMP/chromium" \
		--window-size=900,360 --screenshot="$TMP/plot.png" "file://$TMP/plot.svg" >"$TMP/chromium.log" 2>&1
	check "--plot renders in headless Chromium, and the screenshot is not blank" \
		python3 "$SRC/tests/llm/png_check.py" "$TMP/plot.png"
fi
finish
