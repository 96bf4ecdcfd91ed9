#!/bin/bash
# perf/llm-client.sh: can the client of `xpu bench llm` ever be what limits
# the figure?  A local stand-in (tests/llm/standin_llm.py fast) streams
# OpenAI completions as fast as the socket takes them, one token an SSE
# event, from one core; xpu reads 64 streams at once on another core, and
# so does a reference reader in the same run (Python threads with
# http.client, reading and parsing every event as vLLM's benchmark client
# does).  It prints tokens/s of each and their ratio, and xpu's rate against
# the fastest decode the issue measured on an H200 (llama-bench tg128,
# 8B Q4_0: 347 tokens/s).  Needs only the built xpu, bash and python3.
#   perf/llm-client.sh                 (XPU=./build/xpu STREAMS=64 TOKENS=4096)
set -eu
cd "$(dirname "$0")/.."
XPU=${XPU:-./build/xpu}
STREAMS=${STREAMS:-64}
TOKENS=${TOKENS:-4096}
H200_DECODE=347
TMP=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"' EXIT
cores=$(nproc)
pin_server=() pin_client=()
if command -v taskset >/dev/null && [ "$cores" -ge 2 ]; then
	pin_server=(taskset -c 1) pin_client=(taskset -c 0)
fi
"${pin_server[@]}" python3 tests/llm/standin_llm.py fast "$TMP/port" &
SERVER=$!
for _ in $(seq 100); do [ -s "$TMP/port" ] && break; sleep 0.05; done
URL=http://127.0.0.1:$(cat "$TMP/port")

# xpu: every stream at once, a level of 2 x STREAMS requests
"${pin_client[@]}" "$XPU" bench llm --url "$URL" --concurrency "$STREAMS" --requests $((STREAMS * 2)) \
	--prompt-tokens 8 --output-tokens "$TOKENS" --warmup 1 --json >"$TMP/xpu.json" 2>/dev/null
xpu_tps=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["levels"][0]["output_tokens_per_s"])' "$TMP/xpu.json")
xpu_cpu=$( (TIMEFORMAT=%U; time "${pin_client[@]}" "$XPU" bench llm --url "$URL" --concurrency "$STREAMS" \
	--requests $((STREAMS * 2)) --prompt-tokens 8 --output-tokens "$TOKENS" --warmup 0 --json >/dev/null 2>&1) 2>&1)

# the reference reader
"${pin_client[@]}" python3 - "$URL" "$STREAMS" "$TOKENS" >"$TMP/ref" <<'PY'
import http.client, json, sys, threading, time
url, streams, tokens = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
host, port = url.split("//")[1].split(":")
counts = []
def one(i):
    c = http.client.HTTPConnection(host, int(port))
    body = json.dumps({"model": "standin-model", "prompt": "Request %d: a b c" % i, "max_tokens": tokens,
                       "stream": True, "stream_options": {"include_usage": True}})
    c.request("POST", "/v1/completions", body, {"Content-Type": "application/json"})
    r, n = c.getresponse(), 0
    for line in r:
        if line.startswith(b"data: ") and line[6:].strip() != b"[DONE]":
            ev = json.loads(line[6:])
            n += bool(ev.get("choices") and ev["choices"][0].get("text"))
    counts.append(n)
t0 = time.monotonic()
threads = [threading.Thread(target=one, args=(i,)) for i in range(streams * 2)]
for i in range(0, len(threads), streams):  # streams at a time, as xpu's level
    for t in threads[i:i + streams]: t.start()
    for t in threads[i:i + streams]: t.join()
print(sum(counts) / (time.monotonic() - t0))
PY
ref_tps=$(cat "$TMP/ref")
python3 - "$xpu_tps" "$ref_tps" "$H200_DECODE" "$STREAMS" "$TOKENS" "$xpu_cpu" <<'PY'
import platform, sys
xpu, ref, h200, streams, tokens, cpu = map(float, sys.argv[1:])
model = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][:1]
print("machine: %s, %s" % (platform.node(), model[0] if model else "?"))
print("%d streams x %d tokens, one SSE event a token, client on one core" % (streams, tokens))
print("xpu bench llm:        %10.0f tokens/s  (%.2f s of CPU for one run)" % (xpu, cpu))
print("python http.client:   %10.0f tokens/s  (reference reader)" % ref)
print("xpu / reference:      %10.2f x" % (xpu / ref))
print("xpu / H200 decode:    %10.1f x  (llama-bench tg128 8B Q4_0, %d tokens/s; goal >= 20 x)" % (xpu / h200, h200))
PY
