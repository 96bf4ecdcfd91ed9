#!/usr/bin/env bash
# perf/stream-vs-mccalpin.sh: xpu bench's host STREAM against McCalpin's
# stream.c built as its users build it (-O3 -march=native), with the same
# array size, in alternating runs on one machine; each kernel's best and
# median as ratios (xpu / stream.c), and both triads as % of the SMBIOS peak
# where the firmware describes the DIMMs.
#
#   STREAM_C=/path/to/stream.c perf/stream-vs-mccalpin.sh
#
# XPU            the xpu binary (default ./build/xpu)
# STREAM_C       McCalpin's stream.c (github.com/jeffhammond/STREAM, v5.10).
#                Not shipped and not downloaded: get it yourself, e.g.
#                git clone https://github.com/jeffhammond/STREAM
# STREAM_BIN     instead of STREAM_C: a stream binary built elsewhere with
#                STREAM_ARRAY_SIZE = xpu's (checked) and NTIMES = xpu's reps + 1
# CC             the compiler for stream.c (default gcc)
# STREAM_CFLAGS  default: -O3 -march=native -fopenmp
# LEVEL          xpu bench's level: quick, normal (default) or full; it sets
#                the array size (at least 4x the last-level cache)
# ROUNDS         alternating rounds, each one xpu run and one stream.c run
#                (default 10)
# GENERIC        1: also run xpu with XPU_BENCH_ISA=generic in each round
#                (the kernels as built for any x86-64: what dispatch gains)
# OUT_DIR        keep the raw outputs there (default: a temporary folder)
#
# Both run with OMP_PROC_BIND=spread OMP_PLACES=cores and every CPU.
# Goal: stream.triad best >= 0.95 x stream.c's Triad best.
# Exit status: 0 goal met; 1 goal missed or a run failed; 2 bad settings.
set -u
export LC_ALL=C
XPU=${XPU:-./build/xpu}
CC=${CC:-gcc}
STREAM_CFLAGS=${STREAM_CFLAGS:--O3 -march=native -fopenmp}
LEVEL=${LEVEL:-normal}
ROUNDS=${ROUNDS:-10}
me=perf/stream-vs-mccalpin.sh
die() { printf '%s: %s\n' "$me" "$*" >&2; exit 2; }
case $ROUNDS in '' | *[!0-9]* | 0) die "ROUNDS must be a positive number, not '$ROUNDS'" ;; esac
case $LEVEL in quick | normal | full) ;; *) die "LEVEL must be quick, normal or full, not '$LEVEL'" ;; esac
[ -x "$XPU" ] || die "xpu binary '$XPU' not found (build it, or set XPU)"
command -v python3 >/dev/null 2>&1 || die "python3 not found (it reads xpu's JSON)"
if [ -z "${STREAM_BIN:-}" ]; then
	[ -n "${STREAM_C:-}" ] || die "set STREAM_C to McCalpin's stream.c (git clone https://github.com/jeffhammond/STREAM), or STREAM_BIN to a built one"
	[ -f "$STREAM_C" ] || die "STREAM_C=$STREAM_C: no such file"
	command -v "$CC" >/dev/null 2>&1 || die "no compiler '$CC' (set CC, or STREAM_BIN)"
fi
. "$(dirname "$0")/lib.sh"
perf_out_dir xpu-stream
export OMP_PROC_BIND=spread OMP_PLACES=cores
level_flag=--$LEVEL
[ "$LEVEL" = normal ] && level_flag=

# xpu_json FILE [ENV...]: one xpu bench run of the four STREAM kernels
xpu_json() {
	local out=$1; shift
	# shellcheck disable=SC2086 # an empty level flag is no argument
	env "$@" "$XPU" bench $level_flag --device cpu --only stream --json >"$out" 2>"$out.err"
}

# py SCRIPT ARGS: python3 reading xpu's JSON (the host target)
host_py() {
	python3 - "$@" <<'EOF'
import json, sys
what, path = sys.argv[1], sys.argv[2]
doc = json.load(open(path))
host = next(t for t in doc["targets"] if t["backend"] == "host")
figs = {f["name"]: f for f in host["figures"]}
if what == "rates":      # "copy scale add triad" best GB/s, one line
    print(" ".join(str(figs["stream." + k]["value"]) for k in ("copy", "scale", "add", "triad")))
elif what == "size":     # MiB per array, reps
    f = figs["stream.triad"]
    print(f["note"].split(" MiB")[0], f["reps"])
elif what == "kernels":
    print(figs["stream.triad"]["note"].split("; ")[1])
elif what == "peaks":
    for k in ("mem_bw", "fp32"):
        p = host["peaks"][k]
        how = host.get("peak_how", {}).get(k)
        print("  peak %-6s %s" % (k, ("%.4g %s = %s" % (p, "GB/s" if k == "mem_bw" else "TFLOP/s", how))
                                  if isinstance(p, (int, float)) else "n/a (%s)" % p["detail"]))
elif what == "mem_bw":
    p = host["peaks"]["mem_bw"]
    print(p if isinstance(p, (int, float)) else "")
EOF
}

echo "STREAM: xpu bench vs McCalpin's stream.c on $(hostname) ($(uname -r))"
echo "  cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) CPUs"
echo "  load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "  xpu: $XPU ($("$XPU" --version 2>/dev/null))"
xpu_json "$tmp/xpu-0.json" || { echo "xpu bench failed: $(tail -n1 "$tmp/xpu-0.json.err")"; exit 1; }
read -r mib reps < <(host_py size "$tmp/xpu-0.json")
[ -n "${mib:-}" ] && [ -n "${reps:-}" ] || { echo "cannot read xpu's array size"; exit 1; }
n=$((mib * 1024 * 1024 / 8))
ntimes=$((reps + 1)) # xpu leaves the first repetition out, as stream.c does
if [ -n "${STREAM_BIN:-}" ]; then
	cp "$STREAM_BIN" "$tmp/stream" || die "cannot copy $STREAM_BIN"
	"$tmp/stream" | grep -q "^Array size = $n " || die "$STREAM_BIN was not built with STREAM_ARRAY_SIZE=$n"
	built="prebuilt $STREAM_BIN"
else
	# shellcheck disable=SC2086 # flags are split on purpose
	$CC $STREAM_CFLAGS -DSTREAM_ARRAY_SIZE=$n -DNTIMES=$ntimes -mcmodel=medium "$STREAM_C" \
		-o "$tmp/stream" 2>"$tmp/stream-cc.err" || die "cannot build stream.c: $(head -n1 "$tmp/stream-cc.err")"
	built="$CC $STREAM_CFLAGS"
fi
echo "  arrays: $mib MiB each ($n doubles), $reps timed repetitions + 1 left out, both"
echo "  xpu kernels: $(host_py kernels "$tmp/xpu-0.json")"
echo "  stream.c: $built -DSTREAM_ARRAY_SIZE=$n -DNTIMES=$ntimes"
host_py peaks "$tmp/xpu-0.json"

: >"$tmp/xpu.rates" && : >"$tmp/ref.rates" && : >"$tmp/generic.rates"
for r in $(seq 1 "$ROUNDS"); do
	xpu_json "$tmp/xpu-$r.json" && host_py rates "$tmp/xpu-$r.json" >>"$tmp/xpu.rates" ||
		echo "  round $r: xpu failed: $(tail -n1 "$tmp/xpu-$r.json.err")"
	"$tmp/stream" >"$tmp/stream-$r.out" 2>&1 &&
		awk '/^(Copy|Scale|Add|Triad):/ { printf "%s%s", sep, $2 / 1000; sep = " " } END { print "" }' \
			"$tmp/stream-$r.out" >>"$tmp/ref.rates" || echo "  round $r: stream.c failed"
	if [ "${GENERIC:-0}" = 1 ]; then
		xpu_json "$tmp/generic-$r.json" XPU_BENCH_ISA=generic &&
			host_py rates "$tmp/generic-$r.json" >>"$tmp/generic.rates"
	fi
done
echo "  load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

# stats FILE COLUMN: "best median" of a column over the rounds
stats() { awk -v c="$2" '{ print $c }' "$1" | sort -g | awk '{ v[NR] = $1 } END {
	if (!NR) { print "- -"; exit } m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
	printf "%.2f %.2f\n", v[NR], m }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.3f", a / b; else print "n/a" }'; }
peak=$(host_py mem_bw "$tmp/xpu-0.json")
pct() { awk -v v="$1" -v p="$peak" 'BEGIN { if (p + 0 > 0 && v + 0 > 0) printf "%.1f%%", 100 * v / p; else print "-" }'; }
echo
echo "$(wc -l <"$tmp/xpu.rates") xpu runs, $(wc -l <"$tmp/ref.rates") stream.c runs, alternating (GB/s; % of the SMBIOS peak where known)"
printf '  %-7s %9s %9s %9s %9s %8s %8s %7s %7s\n' kernel "xpu best" "ref best" "xpu med" "ref med" \
	"best x/r" "med x/r" "xpu %" "ref %"
col=0
for k in copy scale add triad; do
	col=$((col + 1))
	read -r xb xm < <(stats "$tmp/xpu.rates" $col)
	read -r sb sm < <(stats "$tmp/ref.rates" $col)
	printf '  %-7s %9s %9s %9s %9s %8s %8s %7s %7s\n' "$k" "$xb" "$sb" "$xm" "$sm" "$(ratio "$xb" "$sb")" \
		"$(ratio "$xm" "$sm")" "$(pct "$xb")" "$(pct "$sb")"
	[ "$k" = triad ] && triad_ratio=$(ratio "$xb" "$sb")
done
if [ -s "$tmp/generic.rates" ]; then
	read -r gb gm < <(stats "$tmp/generic.rates" 4)
	echo "  triad with XPU_BENCH_ISA=generic: best $gb, median $gm GB/s ($(ratio "$gb" "$(stats "$tmp/ref.rates" 4 | cut -d' ' -f1)") of stream.c's best)"
fi
met=$(awk -v r="${triad_ratio:-n/a}" 'BEGIN { print (r != "n/a" && r >= 0.95) ? "met" : "NOT met" }')
echo "goal: stream.triad best / stream.c Triad best = ${triad_ratio:-n/a} (>= 0.95): $met"
[ "$met" = met ]
