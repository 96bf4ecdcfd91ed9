#!/bin/bash
# xpu bench as users and scripts meet it, on the real components of this
# machine: the host (OpenMP STREAM, the BLAS found at run time) and OpenCL
# through PoCL (GEMM checked against a CPU reference inside xpu).  Baselines:
# an injected slowdown (XPU_BENCH_SCALE=0.1: 10x, so machine noise cannot hide it, and a doctored baseline) must be
# flagged; malformed, other-schema and other-machine baselines refused.
# No timing is asserted.
# Usage: bench.sh XPU_BINARY SOURCE_DIR
set -u
XPU=$1
SRC=$2
TMP=$(mktemp -d /tmp/xpu-bench-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
. "$SRC/tests/lib.sh"
run() { "$XPU" "$@" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"; }
rc_is() { [ "$(cat "$TMP/rc")" = "$1" ]; }
err_has() { grep -q -- "$1" "$TMP/err"; }
out_has() { grep -q -- "$1" "$TMP/out"; }
one_err_line() { [ "$(grep -cv '^xpu bench: ' "$TMP/err")" = 1 ]; }
jq_is() { [ "$(jq -r "$1" "$TMP/out")" = "$2" ]; }
jq_true() { jq -e "$1" "$TMP/out" >/dev/null; }
HOST='.targets[] | select(.backend == "host")'
CL='.targets[] | select(.backend == "opencl")'

# --- command line ---
run bench --help
check "--help exits 0" rc_is 0
for opt in --device --quick --full --only --json --save --compare --threshold XPU_BLAS XPU_CUBLAS XPU_DNNL gemm.fp8 "Exit status"; do
	check "--help documents $opt" out_has "$opt"
	check "man page documents $opt" grep -qi -- "$(echo "$opt" | sed 's/-/\\\\-/g')" "$SRC/doc/xpu-bench.1"
done
run bench --threshold abc
check "--threshold abc exits 2" rc_is 2
check "--threshold abc is named" err_has "'abc'"
# the figures of the man page's FIGURES section (tests/bench/test_figures.c
# holds that section against the registry): help lists each, and so does the
# one line that refuses an unknown --only
FIGURES=$(awk '/^\.SH /{ f = /^\.SH FIGURES/ } f && tp && /^\.BI? /{ sub(/^\.BI? /, ""); gsub(/[ "]/, ""); print } { tp = /^\.TP/ }' "$SRC/doc/xpu-bench.1")
check "the man page's FIGURES section lists figures" [ "$(wc -w <<<"$FIGURES")" -ge 10 ]
run bench --help
for fig in $FIGURES; do
	check "--help lists $fig" grep -q "^  $fig " "$TMP/out"
done
run bench --only bogus
check "--only with an unknown figure exits 2" rc_is 2
check "--only names the unknown figure" err_has "'bogus'"
check "--only bogus: one line" bash -c "[ \$(wc -l <'$TMP/err') = 1 ]"
for fig in $FIGURES; do
	check "--only bogus lists $fig" grep -q -- " $fig[,( ]" "$TMP/err"
done
run bench --only stream.triad.1
check "--only with a suffix on a figure without sizes exits 2" rc_is 2
run bench --quick --full
check "--quick with --full exits 2" rc_is 2
run bench extra
check "a stray argument exits 2" rc_is 2

# --- no device of the asked kind ---
run bench --quick --device bogus
check "unknown device exits 1" rc_is 1
check "unknown device: one line naming it" bash -c "grep -q \"'bogus'\" '$TMP/err' && [ \$(wc -l <'$TMP/err') = 1 ]"
# the kinds that line offers are the ones --help and the man page document
KINDS=$(sed -n "s/.*'xpu list' shows, or \(.*\))$/\1/p" "$TMP/err" | tr -d ,)
check "unknown device: the line lists the kinds" [ "$(wc -w <<<"$KINDS")" -ge 3 ]
"$XPU" bench --help >"$TMP/help"
sed -n '/^\.BI \\-\\-device/,/^\.TP/p' "$SRC/doc/xpu-bench.1" >"$TMP/man-device"
for kind in $KINDS; do
	check "--help documents --device $kind" grep -q "kind: .*$kind" "$TMP/help"
	check "the man page's --device documents $kind" grep -q "^\.BR $kind\b" "$TMP/man-device"
	run bench --quick --device "$kind" --only launch.latency
	check "--device $kind is taken as a kind, not an id" bash -c "! grep -q \"no device '$kind'\" '$TMP/err'"
done
if ! "$XPU" list --json | jq -e '[.devices[] | .backends.cuda.usable? // false] | any' >/dev/null 2>&1; then
	run bench --quick --device cuda --json
	check "no CUDA device exits 1" rc_is 1
	check "no CUDA device: says so, with the runtime's reason" err_has "no usable CUDA device.*(cuda: "
	check "no CUDA device: no partial JSON on stdout" bash -c "[ ! -s '$TMP/out' ]"
fi
run bench --quick --device level_zero
check "no Level Zero device exits 1" rc_is 1
check "no Level Zero device: says so" err_has "no usable Level Zero device"

# --- the host, for real ---
run bench --quick --device cpu --only stream,gemm.fp32 --json
check "host bench exits 0" rc_is 0
check "JSON has schema_version 1" jq_is .schema_version 1
check "JSON names the machine" jq_true '.machine.hostname | length > 0'
check "progress goes to stderr" err_has "^xpu bench: stream"
for k in copy scale add triad; do
	check "stream.$k measured (> 0 GB/s)" jq_true "$HOST | .figures[] | select(.name == \"stream.$k\") | .state == \"ok\" and .value > 0 and .unit == \"GB/s\""
done
check "stream.triad counted as STREAM counts" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .counting | test(\"3 x 8 B\")"
check "stream.triad: min <= median <= max" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .min <= .median and .median <= .max and .value == .max"
check "stream validated" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .note | test(\"validated\")"
check "an unknown peak is null with a reason, never 0" jq_true "$HOST | .figures[] | select(.name == \"stream.triad\") | .percent_of_peak.value == null and (.percent_of_peak.detail | length > 0)"
check "host GEMM ran through a BLAS, checked" jq_true "$HOST | .figures[] | select(.name | startswith(\"gemm.fp32\")) | .state == \"ok\" and (.note | test(\"checked\"))"
check "the BLAS is named" jq_true "$HOST | .library | length > 0"
check "--only leaves the rest out" jq_true "[$HOST | .figures[] | select(.name | startswith(\"launch\"))] | length == 0"

XPU_BLAS=/nonexistent/libblas.so "$XPU" bench --quick --device cpu --only gemm.fp32 --json >"$TMP/out" 2>"$TMP/err"
check "XPU_BLAS is honoured, falling back when it does not load" jq_true "$HOST | .figures[0].state == \"ok\""

# --- OpenCL through PoCL ---
if "$XPU" list --json | jq -e '[.devices[] | .backends.opencl.usable? // false] | any' >/dev/null 2>&1; then
	run bench --quick --device opencl --only gemm,mem.read,mem.copy,h2d.pinned,launch --json
	check "OpenCL bench exits 0" rc_is 0
	check "OpenCL fp32 GEMM matches the CPU reference" jq_true "$CL | .figures[] | select(.name == \"gemm.fp32.512\") | .state == \"ok\" and (.note | test(\"checked against a CPU reference\"))"
	check "OpenCL fp16 GEMM matches the CPU reference" jq_true "$CL | .figures[] | select(.name == \"gemm.fp16.512\") | .state == \"ok\""
	check "OpenCL read bandwidth result checked" jq_true "$CL | .figures[] | select(.name == \"mem.read\") | .state == \"ok\" and (.note | test(\"checked\"))"
	check "OpenCL copy gives both counting conventions" jq_true "$CL | .figures[] | select(.name == \"mem.copy\") | (.alt_value * 2 - .value | fabs) < 0.001 * .value"
	check "OpenCL pinned transfer measured" jq_true "$CL | .figures[] | select(.name == \"h2d.pinned\") | .state == \"ok\""
	check "launch latency is lower-is-better, in us" jq_true "$CL | .figures[] | select(.name == \"launch.latency\") | .unit == \"us\" and .higher_is_better == false and .value == .min"
	# oneDNN (Debian's libdnnl2, built with its OpenCL GPU runtime) refuses
	# PoCL's CPU device: the tiled kernel runs and the report says why.
	if ldconfig -p | grep -q 'libdnnl\.so\.2 '; then
		check "OpenCL GEMM: oneDNN's refusal of the device is reported" jq_true "$CL | .gemm | test(\"^tiled kernel; oneDNN not used: oneDNN 2\\\\.[0-9.]+ \\\\(libdnnl.so.2\\\\) refused the device \\\\(dnnl_ocl_interop_engine_create\\\\): [a-z_]+$\")"
		check "OpenCL GEMM: the text report has the gemm line" bash -c "'$XPU' bench --quick --device opencl --only gemm.fp32 2>/dev/null | grep -q '^  gemm: tiled kernel; oneDNN not used: oneDNN 2'"
	else
		not_ok "OpenCL GEMM through oneDNN: libdnnl.so.2 missing (install libdnnl2)"
	fi
	XPU_DNNL=/nonexistent/libdnnl.so.2 "$XPU" bench --quick --device opencl --only gemm.fp32 --json >"$TMP/out" 2>"$TMP/err"
	check "OpenCL GEMM without oneDNN: 'not installed' reported" jq_true "$CL | .gemm == \"tiled kernel; oneDNN not used: oneDNN not installed (/nonexistent/libdnnl.so.2: not found; install libdnnl2)\""
	check "OpenCL GEMM without oneDNN: the tiled kernel still ran, checked" jq_true "$CL | .figures[] | select(.name == \"gemm.fp32.512\") | .state == \"ok\" and (.note | test(\"^tiled kernel\"))"
else
	not_ok "OpenCL: no usable OpenCL device (install pocl-opencl-icd)"
fi

# --- host bf16 GEMM through oneDNN's CPU engine (Debian's OpenBLAS has no
# cblas_sbgemm) ---
if grep -qw -e avx512_bf16 -e amx_bf16 /proc/cpuinfo; then
	run bench --quick --device cpu --only gemm.bf16 --json
	check "host bf16 GEMM ran through oneDNN, checked" jq_true "$HOST | .figures[] | select(.name == \"gemm.bf16.1024\") | .state == \"ok\" and (.note | test(\"^oneDNN 2[.0-9]+ \\\\(libdnnl.so.2\\\\) matmul, CPU engine, bf16 in, fp32 out; checked against a CPU reference\"))"
	XPU_DNNL=/nonexistent/libdnnl.so.2 "$XPU" bench --quick --device cpu --only gemm.bf16 --json >"$TMP/out" 2>"$TMP/err"
	check "host bf16 GEMM without oneDNN: skipped, saying why" jq_true "$HOST | .figures[] | select(.name == \"gemm.bf16.1024\") | .value == null and (.detail | test(\"no cblas_sbgemm.*oneDNN not installed\"))"
else
	run bench --quick --device cpu --only gemm.bf16 --json
	check "host bf16 GEMM on a CPU without bf16: skipped, saying why" jq_true "$HOST | .figures[] | select(.name | startswith(\"gemm.bf16\")) | .value == null and (.detail | test(\"neither AVX512-BF16 nor AMX-BF16\"))"
fi

# --- baselines ---
ONLY="--quick --device cpu --only stream.triad,stream.copy"
run bench $ONLY --save "$TMP/base.json"
check "--save exits 0" rc_is 0
check "--save writes a baseline with the schema" bash -c "jq -e '.schema_version == 1 and .kind == \"xpu-bench\"' '$TMP/base.json' >/dev/null"

XPU_BENCH_SCALE=0.1 "$XPU" bench $ONLY --compare "$TMP/base.json" --threshold 50 >"$TMP/out" 2>"$TMP/err"
echo $? >"$TMP/rc"
check "an injected 10x slowdown exits 3" rc_is 3
check "the slowdown is flagged per figure" bash -c "grep -q 'stream.triad.*REGRESSION' '$TMP/out'"

# a doctored baseline: 5x slower figures than saved -> nothing regressed
jq '(.targets[].figures[] | select(.value != null) | .value) |= . / 5' "$TMP/base.json" >"$TMP/slow-base.json"
run bench $ONLY --compare "$TMP/slow-base.json" --threshold 50
check "faster than the baseline exits 0" rc_is 0
check "faster than the baseline: 0 regressions" out_has "0 regressions"
# and 5x faster figures than saved -> regressed
jq '(.targets[].figures[] | select(.value != null) | .value) |= . * 5' "$TMP/base.json" >"$TMP/fast-base.json"
run bench $ONLY --compare "$TMP/fast-base.json" --threshold 50 --json
check "slower than a doctored baseline exits 3" rc_is 3
check "--json with --compare: stdout stays one JSON document" jq_is .schema_version 1
check "--json with --compare: the comparison goes to stderr" err_has "REGRESSION"

printf '{"kind": "xpu-bench", "schema_version": 1, "targ' >"$TMP/bad.json"
run bench $ONLY --compare "$TMP/bad.json"
check "malformed baseline exits 1" rc_is 1
check "malformed baseline: one line naming the file" bash -c "grep -q '$TMP/bad.json.*not valid JSON' '$TMP/err'"
check "malformed baseline: refused before measuring" bash -c "! grep -q '^xpu bench: stream' '$TMP/err'"
jq '.schema_version = 7' "$TMP/base.json" >"$TMP/schema.json"
run bench $ONLY --compare "$TMP/schema.json"
check "other-schema baseline exits 1" rc_is 1
check "other-schema baseline: says which schema" err_has "schema_version 7"
jq '.machine.machine_id = "00000000000000000000000000000000" | .machine.hostname = "elsewhere"' "$TMP/base.json" >"$TMP/other.json"
run bench $ONLY --compare "$TMP/other.json"
check "other-machine baseline exits 1" rc_is 1
check "other-machine baseline: says so, naming the host" err_has "another machine (host 'elsewhere'"
run bench $ONLY --compare "$TMP/absent.json"
check "missing baseline exits 1" rc_is 1
check "missing baseline: names the file" err_has "$TMP/absent.json"
run bench $ONLY --save /nonexistent/dir/base.json
check "unwritable --save exits 1" rc_is 1
check "unwritable --save names the file" err_has "/nonexistent/dir/base.json"

# --- issue 15: hostile baselines.  A FIFO hung --compare; a valid 50 MB
# baseline took 10 s and 726 MB; --save wrote FILE.tmp.PID through fopen,
# so a link planted at that name overwrote any file (root's 0600 one here). ---
mkfifo "$TMP/fifo.json"
timeout 10 "$XPU" bench $ONLY --compare "$TMP/fifo.json" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a FIFO as baseline: exit 1 at once, naming it" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/fifo.json: not a regular file (a FIFO)' '$TMP/err'"
jq '.targets += [range(100000) | {device: "pad", backend: "none", figures: []}]' "$TMP/base.json" >"$TMP/huge.json"
timeout 10 "$XPU" bench $ONLY --compare "$TMP/huge.json" >"$TMP/out" 2>"$TMP/err"; echo $? >"$TMP/rc"
check "a valid baseline over 4 MiB: refused at once, naming the file and the cap" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/huge.json: [0-9]* bytes, more than the 4 MiB' '$TMP/err'"
printf 'keep me\n' >"$TMP/precious" && chmod 600 "$TMP/precious"
ln -s "$TMP/precious" "$TMP/saved.json"
# exec keeps the shell's pid: the name the old code wrote through is known
bash -c 'ln -s "$1/precious" "$1/saved.json.tmp.$$"; exec "$2" bench --quick --device cpu --only stream.copy --save "$1/saved.json"' _ "$TMP" "$XPU" >/dev/null 2>"$TMP/err"
check "--save through planted links: the linked file is untouched" [ "$(cat "$TMP/precious")" = "keep me" ]
check "... and the baseline is a new regular file" bash -c "[ -f '$TMP/saved.json' ] && [ ! -L '$TMP/saved.json' ] && jq -e '.kind == \"xpu-bench\"' '$TMP/saved.json' >/dev/null"
mkdir "$TMP/folder.json"
run bench $ONLY --save "$TMP/folder.json"
check "--save onto a folder: exit 1, saying so" bash -c "[ \$(cat '$TMP/rc') = 1 ] && grep -q '$TMP/folder.json: a folder' '$TMP/err'"

finish
