#!/usr/bin/env bash
# perf/bench-vs-peers.sh: `xpu bench` side by side with the reference tools,
# in one run on one machine, reported as ratios (xpu / reference).
#
#   XPU=./build/xpu STREAM_C=build-peers/stream.c perf/bench-vs-peers.sh
#
# XPU        the xpu binary (default ./build/xpu)
# STREAM_C   McCalpin's stream.c (jeffhammond/STREAM, v5.10).  Not shipped:
#            fetch it yourself.  Built as its users build it (CC, default
#            gcc; STREAM_CFLAGS, default -O3 -march=native -fopenmp) with the
#            same array size.  Unset or missing: host part skipped.
#            perf/stream-vs-mccalpin.sh compares every kernel, over more
#            alternating rounds.
# STREAM_BIN a stream binary built elsewhere with those flags and xpu's array
#            size, for a machine without a compiler (checked: size must match)
# PYTHON     a python3 with torch and CUDA (default python3).  Without it (or
#            without a CUDA device) the GPU part is skipped, saying why.
# ROUNDS     alternating rounds per tool, best kept (default 3)
# OUT_DIR    keep the raw outputs there (default: a temporary folder)
#
# Host: xpu's stream.triad vs stream.c's Triad (best rate, MB/s -> GB/s),
#   both with OMP_PROC_BIND=spread OMP_PLACES=cores; goal >= 0.95.
# GPU:  xpu's d2d.memcpy (read+write), gemm.bf16.8192 and h2d/d2h.pinned
#   vs PyTorch in the same run: b.copy_(a) on 1 GiB counted 2x,
#   torch.matmul bf16 8192^3, pinned 512 MiB copies; goal >= 0.98 each.
#   gemm.fp8.8192 (cuBLASLt, E4M3) vs torch._scaled_mm (E4M3, B column-major,
#   fp32 scalar scales, bf16 out) where torch and the GPU have fp8: the
#   ratio is reported; the issue sets no goal for it.
# Exit status: 0 when everything that ran met its goal; 1 when a goal was
# missed or xpu failed; 2 on bad settings.
set -u
export LC_ALL=C
XPU=${XPU:-./build/xpu}
PYTHON=${PYTHON:-python3}
CC=${CC:-gcc}
STREAM_CFLAGS=${STREAM_CFLAGS:--O3 -march=native -fopenmp}
ROUNDS=${ROUNDS:-3}
die() { printf 'perf/bench-vs-peers.sh: %s\n' "$*" >&2; exit 2; }
case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS must be a positive number, not '$ROUNDS'" ;; esac
[ -x "$XPU" ] || die "xpu binary '$XPU' not found (build it, or set XPU)"
command -v "$PYTHON" >/dev/null 2>&1 || die "no $PYTHON (needed to read JSON)"
. "$(dirname "$0")/lib.sh"
perf_out_dir xpu-peers
missed=0
export OMP_PROC_BIND=spread OMP_PLACES=cores

# value FILE BACKEND FIGURE [KEY]: a figure's value from `xpu bench --json`
value() {
	"$PYTHON" - "$1" "$2" "$3" "${4:-value}" <<'EOF'
import json, sys
doc = json.load(open(sys.argv[1]))
for t in doc["targets"]:
    if t["backend"] != sys.argv[2]:
        continue
    for f in t["figures"]:
        if f["name"] == sys.argv[3] and f.get(sys.argv[4]) is not None:
            print(f[sys.argv[4]]); sys.exit(0)
sys.exit(1)
EOF
}
best() { sort -g | tail -n1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'; }
goal() { # goal NAME RATIO MIN
	local met
	met=$(awk -v r="$2" -v m="$3" 'BEGIN { print (r != "n/a" && r >= m) ? "met" : "NOT met" }')
	[ "$met" = met ] || missed=1
	printf '  %-34s %s (goal >= %s): %s\n' "$1" "$2" "$3" "$met"
}

echo "xpu bench vs peers on $(hostname) ($(uname -r)), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
echo "xpu: $XPU ($("$XPU" --version 2>/dev/null))"

# ---- host: STREAM triad ----
host_part() {
	if [ -z "${STREAM_BIN:-}" ] && { [ -z "${STREAM_C:-}" ] || [ ! -f "$STREAM_C" ]; }; then
		echo "host: skipped: STREAM_C not set or missing (stream.c from jeffhammond/STREAM)"
		return
	fi
	"$XPU" bench --device cpu --only stream --json >"$tmp/xpu-stream-0.json" 2>"$tmp/xpu-stream-0.err" ||
		{ echo "host: xpu bench failed: $(tail -n1 "$tmp/xpu-stream-0.err")"; missed=1; return; }
	local mib n
	mib=$(value "$tmp/xpu-stream-0.json" host stream.triad note | sed -n 's/^\([0-9]*\) MiB per array.*/\1/p')
	[ -n "$mib" ] || { echo "host: cannot read xpu's array size"; missed=1; return; }
	n=$((mib * 1024 * 1024 / 8))
	if [ -n "${STREAM_BIN:-}" ]; then
		# prebuilt where this machine has no compiler: its size must match
		cp "$STREAM_BIN" "$tmp/stream" || { echo "host: cannot copy $STREAM_BIN"; missed=1; return; }
		"$tmp/stream" | grep -q "^Array size = $n " ||
			{ echo "host: $STREAM_BIN was not built with STREAM_ARRAY_SIZE=$n"; missed=1; return; }
	# shellcheck disable=SC2086 # flags are split on purpose
	elif ! $CC $STREAM_CFLAGS -DSTREAM_ARRAY_SIZE=$n -DNTIMES=11 -mcmodel=medium "$STREAM_C" -o "$tmp/stream" 2>"$tmp/stream-cc.err"; then
		echo "host: cannot build stream.c: $(head -n1 "$tmp/stream-cc.err")"; missed=1; return
	fi
	for r in $(seq 1 "$ROUNDS"); do
		"$XPU" bench --device cpu --only stream.triad --json >"$tmp/xpu-stream-$r.json" 2>/dev/null &&
			value "$tmp/xpu-stream-$r.json" host stream.triad >>"$tmp/xpu-triad"
		"$tmp/stream" >"$tmp/stream-$r.out" 2>&1 &&
			awk '/^Triad:/ { print $2 / 1000 }' "$tmp/stream-$r.out" >>"$tmp/ref-triad"
	done
	local x s
	x=$(best <"$tmp/xpu-triad" 2>/dev/null) s=$(best <"$tmp/ref-triad" 2>/dev/null)
	echo "host: STREAM triad, $mib MiB per array, $(nproc) CPUs, $CC $STREAM_CFLAGS, best of $ROUNDS rounds"
	printf '  %-34s %10s GB/s\n' "xpu bench stream.triad" "${x:-failed}" "stream.c Triad" "${s:-failed}"
	goal "triad: xpu / stream.c" "$(ratio "${x:-0}" "${s:-0}")" 0.95
}

# ---- GPU: PyTorch ----
torch_script() {
	cat <<'EOF'
import json, sys, torch
if not torch.cuda.is_available():
    print(json.dumps({"error": "torch.cuda.is_available() is False"})); sys.exit(0)
dev = "cuda"
def rates(fn, amount, iters=10, reps=10):
    s, e = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    out = []
    for _ in range(reps):
        s.record()
        for _ in range(iters):
            fn()
        e.record(); e.synchronize()
        out.append(amount * iters / (s.elapsed_time(e) * 1e-3))
    return max(out)
n = 1 << 30
a = torch.empty(n, dtype=torch.uint8, device=dev).random_(); b = torch.empty_like(a)
res = {"d2d.memcpy": rates(lambda: b.copy_(a), 2 * n / 1e9)}
del a, b
A = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
B = torch.randn(8192, 8192, device=dev, dtype=torch.bfloat16)
res["gemm.bf16.8192"] = rates(lambda: torch.matmul(A, B), 2 * 8192**3 / 1e12)
del A, B
try:  # fp8: compute capability >= 8.9 and a torch with _scaled_mm
    A8 = torch.randn(8192, 8192, device=dev).to(torch.float8_e4m3fn)
    B8 = torch.randn(8192, 8192, device=dev).to(torch.float8_e4m3fn).t().contiguous().t()
    one = torch.tensor(1.0, device=dev)
    mm = lambda: torch._scaled_mm(A8, B8, scale_a=one, scale_b=one, out_dtype=torch.bfloat16)
    res["gemm.fp8.8192"] = rates(mm, 2 * 8192**3 / 1e12)
    del A8, B8
except Exception as e:  # reported as the reason the figure was skipped
    res["gemm.fp8.8192.error"] = str(e).splitlines()[0][:160]
m = 512 << 20
h = torch.empty(m, dtype=torch.uint8, pin_memory=True).fill_(1)
d = torch.empty(m, dtype=torch.uint8, device=dev)
res["h2d.pinned"] = rates(lambda: d.copy_(h, non_blocking=True), m / 1e9, iters=4)
res["d2h.pinned"] = rates(lambda: h.copy_(d, non_blocking=True), m / 1e9, iters=4)
res["torch"] = torch.__version__ + " cuda " + str(torch.version.cuda)
print(json.dumps(res))
EOF
}

gpu_part() {
	torch_script >"$tmp/torch_ref.py" # not torch.py: it would shadow the module
	if ! "$PYTHON" -c 'import torch' 2>/dev/null; then
		echo "gpu: skipped: $PYTHON has no torch"; return
	fi
	if ! "$XPU" bench --device cuda --only launch >/dev/null 2>"$tmp/xpu-probe.err"; then
		echo "gpu: skipped: $(tail -n1 "$tmp/xpu-probe.err")"; return
	fi
	local figs="d2d.memcpy gemm.bf16.8192 h2d.pinned d2h.pinned" f r
	local extra="gemm.fp8.8192" # ratio reported, no goal
	for r in $(seq 1 "$ROUNDS"); do
		"$XPU" bench --device cuda --only "$(echo $figs $extra | tr ' ' ,)" --json >"$tmp/xpu-gpu-$r.json" 2>"$tmp/xpu-gpu-$r.err" ||
			{ echo "gpu: xpu bench failed: $(tail -n1 "$tmp/xpu-gpu-$r.err")"; missed=1; return; }
		"$PYTHON" "$tmp/torch_ref.py" >"$tmp/torch-$r.json" 2>"$tmp/torch-$r.err" ||
			{ echo "gpu: torch failed: $(tail -n1 "$tmp/torch-$r.err")"; missed=1; return; }
	done
	"$PYTHON" - "$tmp/torch-1.json" <<'EOF' || { echo "gpu: skipped: $(cat "$tmp/torch-1.json")"; return; }
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(1 if "error" in d else 0)
EOF
	echo "gpu: PyTorch $("$PYTHON" -c "import json,sys;print(json.load(open(sys.argv[1]))['torch'])" "$tmp/torch-1.json"), best of $ROUNDS alternating rounds"
	printf '  %-22s %12s %12s %8s\n' figure xpu torch unit
	for f in $figs $extra; do
		local x t unit
		x=$(for r in $(seq 1 "$ROUNDS"); do value "$tmp/xpu-gpu-$r.json" cuda "$f"; done | best)
		t=$(for r in $(seq 1 "$ROUNDS"); do torch_value "$tmp/torch-$r.json" "$f"; done | best)
		unit=$(value "$tmp/xpu-gpu-1.json" cuda "$f" unit)
		if [ -z "$x" ] || [ -z "$t" ]; then
			printf '  %-22s skipped: %s\n' "$f" "$(why_not "$tmp/xpu-gpu-1.json" "$tmp/torch-1.json" "$f")"
			case " $figs " in *" $f "*) missed=1 ;; esac
			continue
		fi
		printf '  %-22s %12.1f %12.1f %8s\n' "$f" "$x" "$t" "$unit"
		echo "$f $(ratio "$x" "$t")" >>"$tmp/gpu-ratios"
	done
	[ -f "$tmp/gpu-ratios" ] || return
	while read -r f r; do
		case " $figs " in
		*" $f "*) goal "$f: xpu / torch" "$r" 0.98 ;;
		*) printf '  %-34s %s (reported, no goal)\n' "$f: xpu / torch" "$r" ;;
		esac
	done <"$tmp/gpu-ratios"
}

# torch_value FILE FIGURE: PyTorch's figure, nothing when it has none
torch_value() {
	"$PYTHON" -c "import json,sys;v=json.load(open(sys.argv[1])).get(sys.argv[2]);v is None or print(v)" "$1" "$2"
}

# why_not XPU_JSON TORCH_JSON FIGURE: which side has no figure, and why
why_not() {
	"$PYTHON" - "$1" "$2" "$3" <<'EOF'
import json, sys
x, t, name = json.load(open(sys.argv[1])), json.load(open(sys.argv[2])), sys.argv[3]
for tgt in x["targets"]:
    for f in tgt["figures"]:
        if f["name"] == name and f.get("value") is None:
            print("xpu: %s (%s)" % (f.get("detail", ""), f.get("state"))); sys.exit(0)
print("torch: " + t.get(name + ".error", "no figure"))
EOF
}

host_part
gpu_part
exit $missed
