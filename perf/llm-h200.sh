#!/bin/bash
# perf/llm-h200.sh: `xpu bench llm` against a real llama.cpp on an NVIDIA GPU,
# beside the server's own timings and llama-bench, same run, same model file.
# Written for the project's H200 machine (nvcc, cmake, ninja, python3; no
# network): it builds llama.cpp with CUDA for sm_90 from a carried source
# folder, writes a random-weight model of Llama 3 8B's shape in Q4_0 and F16
# (tests/llm/gguf_model.py, the real Llama 3 tokenizer), starts llama-server
# with `xpu run --app llama-server --device <the last GPU>`, checks with
# nvidia-smi which GPU it runs on, runs `xpu bench llm` and
# `llama-bench -n 128 -p 512`, and prints every figure issue 17's goals
# compare, with the ratios.  Everything it writes for people goes to $OUT.
#
#   perf/llm-h200.sh build   # CUDA build (resumable: run again if cut off)
#   perf/llm-h200.sh run     # models, servers, measurements (about 4 min)
#
# Environment: XPU (default ./build/xpu), LLAMA_SRC (default
# .carry-llama-src: make it with tests/llm/llama.sh subset SRC DIR),
# LLAMA_BUILD (default build-llama-cuda), OUT (default ./perf-out),
# MODELS (default /tmp/xpu-llm-models: 21 GB).  Without an NVIDIA GPU
# (CPU=1, for trying the script on any machine): the CPU, a tiny model
# (SHAPE=tiny), LLAMA_BUILD=build-llama/build from tests/llm/llama.sh.
set -u
cd "$(dirname "$0")/.."
XPU=${XPU:-./build/xpu}
LLAMA_SRC=${LLAMA_SRC:-.carry-llama-src}
LLAMA_BUILD=${LLAMA_BUILD:-build-llama-cuda}
OUT=${OUT:-./perf-out}
MODELS=${MODELS:-/tmp/xpu-llm-models}
CPU=${CPU:-0}
SHAPE=${SHAPE:-$([ "$CPU" = 1 ] && echo tiny || echo llama3-8b)}
SWEEP=${SWEEP:-$([ "$CPU" = 1 ] && echo 1,2,4 || echo 1,4,16,64)}
mkdir -p "$OUT" "$MODELS"
XPU=$(readlink -f "$XPU")
BIN=$(readlink -f "$LLAMA_BUILD")/bin
say() { echo "llm-h200: $*" | tee -a "$OUT/llm-h200.log"; }
# libcurl (xpu dlopens it) where the machine lacks it: .carry-libs
[ -d .carry-libs ] && export LD_LIBRARY_PATH=$PWD/.carry-libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
healthy() { # PORT: llama-server's /health answers 200 (python3: this machine may have no curl)
	python3 -c 'import sys, urllib.request
try: sys.exit(0 if urllib.request.urlopen("http://127.0.0.1:%s/health" % sys.argv[1], timeout=2).status == 200 else 1)
except Exception: sys.exit(1)' "$1"
}

build() {
	[ -f "$LLAMA_SRC/CMakeLists.txt" ] || { say "no llama.cpp source in $LLAMA_SRC (tests/llm/llama.sh subset)"; exit 1; }
	local t0=$SECONDS
	if [ ! -f "$LLAMA_BUILD/build.ninja" ]; then
		mkdir -p "$LLAMA_BUILD"
		# configure only: the same flags as tests/llm/llama.sh's CUDA build
		timeout 120 bash tests/llm/llama.sh configure "$LLAMA_SRC" "$LLAMA_BUILD" cuda ||
			{ say "cmake failed: $(tail -3 "$LLAMA_BUILD/configure.log")"; exit 1; }
	fi
	if timeout 560 ninja -C "$LLAMA_BUILD" -j "$(nproc)" llama-server llama-bench >"$OUT/cuda-build.log" 2>&1; then
		say "CUDA build done in $((SECONDS - t0)) s ($(nproc) cores)"
	else
		say "build not finished after $((SECONDS - t0)) s: run 'perf/llm-h200.sh build' again ($(tail -1 "$OUT/cuda-build.log"))"
		exit 1
	fi
}

# The last NVIDIA GPU as `xpu list` sees it: its index (xpu run --device),
# id (xpu bench --device) and UUID (nvidia-smi, CUDA_VISIBLE_DEVICES).
last_gpu() {
	"$XPU" list --json | python3 -c '
import json, sys
g = [d for d in json.load(sys.stdin)["devices"] if d["vendor"] == "nvidia"]
u = g[-1].get("uuid") if g else None
print(g[-1]["index"], g[-1]["id"], u["value"] if isinstance(u, dict) else u) if g else sys.exit(1)'
}

# serve NAME MODEL SLOTS: starts llama-server through xpu run on $GPU_ID;
# sets PORT and SERVER
serve() {
	local name=$1 model=$2 slots=$3
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	# --cache-ram 0: the host prompt cache saves the last request's KV cache
	# to RAM when the next one arrives, outside the server's own prompt_ms
	# (about 50 ms of an 8B model's TTFT on the H200): off, so that the
	# client's TTFT and the server's timings measure the same thing
	PATH=$BIN:$PATH "$XPU" run --app llama-server --device "$GPU_INDEX" -- llama-server -m "$model" \
		--host 127.0.0.1 --port "$PORT" -c $((slots * 1024)) -np "$slots" --cache-ram 0 >"$OUT/server-$name.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 900); do
		healthy "$PORT" && break
		kill -0 "$SERVER" 2>/dev/null || { say "$name: llama-server exited: $(tail -2 "$OUT/server-$name.log")"; return 1; }
		sleep 0.2
	done
	healthy "$PORT" || { say "$name: llama-server not up after 180 s: $(tail -2 "$OUT/server-$name.log")"; return 1; }
	[ "$CPU" = 1 ] && return 0
	nvidia-smi --query-compute-apps=pid,gpu_uuid,used_memory --format=csv,noheader >"$OUT/nvidia-smi-$name.csv"
	local on
	on=$(awk -F', ' -v p="$SERVER" '$1 == p { print $2 }' "$OUT/nvidia-smi-$name.csv")
	say "$name: llama-server pid $SERVER on GPU $on (nvidia-smi; the last GPU is $GPU_UUID): $([ "$on" = "$GPU_UUID" ] && echo right || echo WRONG)"
}

stop() { kill "$SERVER" 2>/dev/null; wait "$SERVER" 2>/dev/null; }

measure() { # TYPE: the model file, llama-bench, the server at c=1 (and the sweep for q4_0)
	local t=$1 model=$MODELS/$SHAPE-$1.gguf
	if [ ! -s "$model" ]; then
		timeout 300 python3 tests/llm/gguf_model.py "$LLAMA_SRC/models/ggml-vocab-llama-bpe.gguf" "$model" \
			--shape "$SHAPE" --type "$t" || { say "$t: the model could not be written"; return 1; }
	fi
	say "$t: $(du -h "$model" | cut -f1) model; llama-bench -n 128 -p 512"
	CUDA_VISIBLE_DEVICES=$GPU_UUID timeout 240 "$BIN/llama-bench" -m "$model" -n 128 -p 512 -ngl "$NGL" -o json \
		>"$OUT/llama-bench-$t.json" 2>"$OUT/llama-bench-$t.log" || say "$t: llama-bench failed: $(tail -1 "$OUT/llama-bench-$t.log")"
	serve "$t" "$model" 1 || return 1
	timeout 300 "$XPU" bench llm --url "http://127.0.0.1:$PORT" --concurrency 1 --requests 10 --prompt-tokens 512 \
		--output-tokens 128 --warmup 2 --hw-baseline "$OUT/hw.json" --json >"$OUT/bench-llm-$t.json" \
		2>"$OUT/bench-llm-$t.err" || say "$t: xpu bench llm failed: $(tail -1 "$OUT/bench-llm-$t.err")"
	stop
	[ "$t" = q4_0 ] || return 0
	serve "$t-sweep" "$model" "${SWEEP##*,}" || return 1
	timeout 500 "$XPU" bench llm --url "http://127.0.0.1:$PORT" --concurrency "$SWEEP" --prompt-tokens 512 --timeout 300 \
		--output-tokens 128 --hw-baseline "$OUT/hw.json" --plot "$OUT/curve-$t.svg" >"$OUT/bench-llm-$t-sweep.txt" \
		2>"$OUT/bench-llm-$t-sweep.err" || say "$t: the sweep failed: $(tail -1 "$OUT/bench-llm-$t-sweep.err")"
	stop
}

run() {
	[ -x "$BIN/llama-server" ] || { say "no $BIN/llama-server: run 'perf/llm-h200.sh build' first"; exit 1; }
	python3 -c 'import ctypes; ctypes.CDLL("libcurl.so.4")' 2>/dev/null ||
		{ say "no libcurl.so.4 here (xpu bench llm dlopens it): carry one in .carry-libs (perf/README.md)"; exit 1; }
	NGL=99
	if [ "$CPU" = 1 ]; then
		GPU_INDEX=cpu GPU_ID=cpu GPU_UUID=none NGL=0
		say "CPU=1: the CPU, model shape $SHAPE"
	else
		read -r GPU_INDEX GPU_ID GPU_UUID < <(last_gpu) || { say "xpu list shows no NVIDIA GPU (CPU=1 tries the CPU)"; exit 1; }
		say "$(nvidia-smi -L | wc -l) GPU(s); using the last: xpu index $GPU_INDEX, $GPU_ID, $GPU_UUID"
	fi
	local copy=d2d
	[ "$CPU" = 1 ] && copy=stream.triad
	timeout 120 "$XPU" bench --device "$GPU_ID" --quick --only "$copy" --save "$OUT/hw.json" >"$OUT/hw.txt" 2>&1 ||
		say "xpu bench d2d failed: $(tail -1 "$OUT/hw.txt")"
	for t in q4_0 f16; do
		measure "$t"
	done
	python3 perf/llm-h200-report.py "$OUT" | tee "$OUT/report.txt"
}

case "${1:-}" in
build) build ;;
run) run ;;
*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
